/*
 * jssip_bench.js: a plain JsSIP phone (defaults, as an application would
 * write it) for the bench: registers from the wp_ URL parameters
 * (wp_webrtcserveraddress, wp_serveraddress, wp_username, wp_password,
 * wp_stunserveraddress) and places audio calls with B.call(number).
 */
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var session = null;
  var iceServers = [];
  if (q.get('wp_stunserveraddress')) iceServers.push({ urls: 'stun:' + q.get('wp_stunserveraddress') });

  var ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(q.get('wp_webrtcserveraddress'))],
    uri: 'sip:' + q.get('wp_username') + '@' + q.get('wp_serveraddress'),
    password: q.get('wp_password'),
    register: true,
    session_timers: false
  });
  ua.on('registered', function () { B.mark('registered'); });
  ua.on('registrationFailed', function (e) { B.note('registrationFailed ' + e.cause); });
  ua.start();
  B.mark('loaded');
  window.addEventListener('pagehide', function () { ua.stop(); });

  B.call = function (number) {
    B.reset();
    B.callAt = performance.now();
    session = ua.call('sip:' + number + '@' + q.get('wp_serveraddress'), {
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: iceServers }
    });
    session.on('confirmed', function () {
      B.note('connected');
      if (!B.connectedAt) B.connectedAt = performance.now();
    });
    ['ended', 'failed'].forEach(function (name) {
      session.on(name, function (e) {
        B.note(name + ' ' + (e && e.cause));
        B.endedAt = performance.now();
      });
    });
    return true;
  };
  B.hangup = function () {
    if (session) session.terminate();
    return true;
  };
})();
