/*
 * video_probe.js: what the Go video tests read from a page (window.V):
 * the video counters of a line's RTCPeerConnection (getStats) and the
 * <video> elements the engine made.
 */
(function () {
  'use strict';

  var V = (window.V = {});

  // stats(line) resolves to the summed video counters of the line:
  // framesDecoded (received and decoded), framesEncoded/framesSent, the
  // decoded size, and the sender's track (label, displaySurface).
  V.stats = function (line) {
    return V.pcStats(webphone_api.getrtcpeerconnection(line));
  };

  // pcStats is stats for any RTCPeerConnection (the JsSIP peer page's).
  V.pcStats = function (pc) {
    if (!pc || typeof pc.getStats !== 'function') return Promise.resolve({ ok: false, error: 'no peer connection' });
    return pc.getStats().then(function (report) {
      var r = { ok: true, framesDecoded: 0, framesEncoded: 0, framesSent: 0, frameWidth: 0, frameHeight: 0,
        inboundVideo: 0, outboundVideo: 0, codec: '' };
      var codecs = {};
      report.forEach(function (s) {
        if (s.type === 'codec') codecs[s.id] = s.mimeType;
      });
      report.forEach(function (s) {
        if (s.kind !== 'video') return;
        if (s.type === 'inbound-rtp') {
          r.inboundVideo++;
          r.framesDecoded += s.framesDecoded || 0;
          r.frameWidth = s.frameWidth || r.frameWidth;
          r.frameHeight = s.frameHeight || r.frameHeight;
          if (s.codecId && codecs[s.codecId]) r.codec = codecs[s.codecId];
        } else if (s.type === 'outbound-rtp') {
          r.outboundVideo++;
          r.framesEncoded += s.framesEncoded || 0;
          r.framesSent += s.framesSent || 0;
        }
      });
      r.senderTrack = '';
      r.displaySurface = '';
      r.senderWidth = 0;
      r.senderHeight = 0;
      pc.getSenders().forEach(function (snd) {
        if (snd.track && snd.track.kind === 'video') {
          r.senderTrack = snd.track.label;
          var st = snd.track.getSettings ? snd.track.getSettings() : {};
          r.displaySurface = st.displaySurface || '';
          r.senderWidth = st.width || 0;
          r.senderHeight = st.height || 0;
        }
      });
      r.transceivers = pc.getTransceivers().map(function (t) {
        return (t.receiver.track ? t.receiver.track.kind : '?') + ':' + t.direction + '/' + t.currentDirection;
      });
      return r;
    });
  };

  // elements lists the engine's <video> elements: kind, line, parent id,
  // decoded size and whether they are hidden.
  V.elements = function () {
    return Array.prototype.map.call(document.querySelectorAll('video[data-webphone-video]'), function (el) {
      return { kind: el.getAttribute('data-webphone-video'), line: el.getAttribute('data-webphone-line'),
        parent: el.parentNode ? el.parentNode.id || el.parentNode.tagName : '', width: el.videoWidth,
        height: el.videoHeight, hidden: !!el.hidden, styleWidth: el.style.width };
    });
  };

  // endScreenTrack plays the browser's "stop sharing" button: the shared
  // screen track ends (the event a user agent fires when capture stops).
  V.endScreenTrack = function (line) {
    var pc = webphone_api.getrtcpeerconnection(line);
    var done = false;
    pc.getSenders().forEach(function (snd) {
      var t = snd.track;
      if (t && t.kind === 'video' && t.getSettings && t.getSettings().displaySurface) {
        t.stop();
        t.dispatchEvent(new Event('ended'));
        done = true;
      }
    });
    return done;
  };
})();
