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
  };
  B.reset();
})();
