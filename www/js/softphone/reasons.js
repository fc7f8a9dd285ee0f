/*
 * reasons.js: a SIP reason ("486 Busy Here", "BYE bye received",
 * "transport: dial ...") in words a person understands. SP.reason(text)
 * answers {key, words, code}: key names the word in strings.js, code is the
 * SIP code or keyword for a tooltip.
 */
(function (SP) {
  'use strict';
  var BY_CODE = {
    400: 'failed', 401: 'wrongpassword', 403: 'wrongpassword', 407: 'wrongpassword', 404: 'notfound',
    484: 'notfound', 604: 'notfound', 410: 'notfound', 408: 'noanswer', 480: 'unreachable',
    486: 'busy', 600: 'busy', 603: 'declined', 487: 'cancelled', 488: 'media', 415: 'media', 606: 'media',
    500: 'servererror', 502: 'unreachable', 503: 'unreachable', 504: 'unreachable'
  };

  SP.reason = function (text) {
    var r = String(text || '').trim();
    var lr = r.toLowerCase();
    var m = r.match(/^(\d{3})\b/);
    var code = m ? Number(m[1]) : 0;
    var key = 'ended';
    if (code && BY_CODE[code]) {
      key = BY_CODE[code];
      if (code === 603 && /rejected/.test(lr)) key = 'declined';
    } else if (code >= 400) {
      key = 'failed';
    } else if (/^transport|dial|websocket|connection/.test(lr)) {
      key = 'unreachable';
    } else if (/no response|timeout/.test(lr)) {
      key = 'noanswer';
    } else if (/transfer/.test(lr)) {
      key = 'transferred';
    } else if (/authentication/.test(lr)) {
      key = 'wrongpassword';
    } else if (/^-1 /.test(r) && /media/.test(lr)) {
      key = 'media';
    }
    if (/^cancel/.test(lr)) key = 'cancelled';
    if (/^302|forward/.test(lr)) key = 'transferred';
    return { key: key, words: SP.t(key), code: r };
  };

  // SP.presenceKey maps an onPresenceStateChange state to a strings.js key
  // and a lamp class.
  SP.presence = function (state) {
    var s = String(state || '').toLowerCase();
    if (s === 'available' || s === 'online' || s === 'open') return { key: 'p_available', lamp: 'on' };
    if (s === 'away') return { key: 'p_away', lamp: 'away' };
    if (s === 'busy') return { key: 'p_busy', lamp: 'busy' };
    if (s === 'donotdisturb' || s === 'dnd') return { key: 'p_dnd', lamp: 'busy' };
    if (s === 'speaking') return { key: 'p_speaking', lamp: 'busy' };
    if (s === 'offline' || s === 'closed') return { key: 'p_offline', lamp: 'off' };
    if (s === 'notexists') return { key: 'p_notexists', lamp: 'off' };
    return { key: 'p_unknown', lamp: 'unknown' };
  };
})(window.SP = window.SP || {});
