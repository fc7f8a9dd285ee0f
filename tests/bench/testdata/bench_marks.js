/*
 * bench_marks.js: what the bench reads from a page (window.B): times in ms
 * since navigation start of "loaded", "registered" and the last call's
 * start, connection and end.
 */
(function () {
  'use strict';
  var B = (window.B = { t: {}, events: [] });
  B.mark = function (what) {
    if (!(what in B.t)) B.t[what] = performance.now();
  };
  B.note = function (what) {
    B.events.push(what);
  };
  B.reset = function () {
    B.callAt = 0;
    B.connectedAt = 0;
    B.endedAt = 0;
    B.events = [];
    B.wire = [];
  };
  B.reset();

  // The SIP timeline of the last call for the log: when each message went
  // out (>) or came in (<) over the page's WebSocket, by its first line.
  var firstLine = function (data) {
    if (typeof data !== 'string') {
      try { data = new TextDecoder().decode(data); } catch (e) { return '?'; }
    }
    var l = data.split('\r\n', 1)[0];
    var m = /^SIP\/2\.0 (\d+)/.exec(l);
    return m ? m[1] + ' ' + (/\r\nCSeq: *\d+ (\w+)/i.exec(data) || [])[1] : l.split(' ')[0];
  };
  var note = function (dir, data) {
    if (B.callAt) B.wire.push(dir + firstLine(data) + ' ' + Math.round(performance.now() - B.callAt));
  };
  var WS = window.WebSocket;
  var send = WS.prototype.send;
  WS.prototype.send = function (data) {
    note('>', data);
    return send.apply(this, arguments);
  };
  window.WebSocket = function (url, protocols) {
    var ws = new WS(url, protocols);
    ws.addEventListener('message', function (ev) { note('<', ev.data); });
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { window.WebSocket[k] = WS[k]; });
})();
