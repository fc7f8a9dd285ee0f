/*
 * jssip_peer.js: a JsSIP phone the Go tests drive (window.J). Its account
 * comes from the URL: wp_webrtcserveraddress, wp_serveraddress,
 * wp_username, wp_password. Incoming calls are answered with audio and
 * video; J.call(target) places a video call.
 */
(function () {
  'use strict';

  var q = new URLSearchParams(location.search);
  var J = (window.J = { events: [], session: null });

  function note(what) {
    J.events.push(what);
  }

  function track(session) {
    J.session = session;
    ['progress', 'accepted', 'confirmed', 'ended', 'failed'].forEach(function (name) {
      session.on(name, function (e) {
        note(name + (e && e.cause ? ' ' + e.cause : ''));
      });
    });
  }

  var media = { mediaConstraints: { audio: true, video: true }, rtcOfferConstraints: {} };

  try {
    var socket = new JsSIP.WebSocketInterface(q.get('wp_webrtcserveraddress'));
    var ua = new JsSIP.UA({
      sockets: [socket],
      uri: 'sip:' + q.get('wp_username') + '@' + q.get('wp_serveraddress'),
      password: q.get('wp_password'),
      register: true,
      session_timers: false
    });
    ua.on('registered', function () { note('registered'); });
    ua.on('registrationFailed', function (e) { note('registrationFailed ' + e.cause); });
    ua.on('newRTCSession', function (e) {
      if (e.originator !== 'remote') return;
      note('incoming');
      track(e.session);
      e.session.answer(media);
    });
    ua.start();
    J.ua = ua;
  } catch (err) {
    note('error ' + err);
  }

  // call places a video call.
  J.call = function (target) {
    track(J.ua.call('sip:' + target + '@' + q.get('wp_serveraddress'), media));
    return true;
  };
  J.hangup = function () {
    if (J.session) J.session.terminate();
    return true;
  };
  J.stats = function () {
    return V.pcStats(J.session && J.session.connection);
  };
})();
