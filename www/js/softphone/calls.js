/*
 * calls.js: the lines of the softphone skin. Each call is a line in the
 * list; the selected one fills the caller card (name, number, state in
 * words, timer) and the controls act on it. Answering or placing a second
 * call holds the first; choosing another line holds the one left and
 * resumes the one chosen.
 */
(function (SP) {
  'use strict';
  var w = window.webphone_api;
  var $ = SP.$;
  var lines = {}; // line number (string) -> call
  var sel = ''; // the selected line
  var ticker = null;
  var actionMode = ''; // 'transfer' | 'conference' while the action form is open
  var sharing = false;

  function list() {
    return Object.keys(lines).map(function (k) { return lines[k]; })
      .sort(function (a, b) { return a.created - b.created; });
  }

  function live(c) { return c && c.state !== 'ended'; }

  // stateWords is the state of call c in words, and the tooltip.
  function stateWords(c) {
    if (c.state === 'ended') return { text: c.reason ? c.reason.words : SP.t('ended'), title: c.reason ? c.reason.code : '' };
    if (c.state === 'connected') {
      var s = SP.t(c.conf ? 'inconference' : 'connected');
      if (c.held) s = SP.t('onhold');
      if (c.muted) s += ' · ' + SP.t('muted');
      return { text: s, title: '' };
    }
    if (c.dir === 2) return { text: SP.t('incoming'), title: '' };
    return { text: SP.t(c.state === 'ringing' ? 'ringing' : 'calling'), title: '' };
  }

  function timerText(c) {
    if (c.connectedAt) return SP.clock(((c.endedAt || Date.now()) - c.connectedAt) / 1000);
    return '';
  }

  function render() {
    var all = list();
    SP.show('callView', all.length > 0);
    document.body.classList.toggle('incall', all.length > 0);
    if (!lines[sel]) sel = all.length ? all[all.length - 1].line : '';
    var ul = $('lines');
    ul.textContent = '';
    SP.show(ul, all.length > 1);
    all.forEach(function (c) {
      var li = SP.el('li', 'line ' + c.state + (c.held ? ' held' : ''));
      li.setAttribute('data-line', c.line);
      var b = SP.el('button', 'linebtn');
      b.type = 'button';
      if (c.line === sel) b.setAttribute('aria-current', 'true');
      b.appendChild(SP.el('span', 'line-name', c.name));
      var st = stateWords(c);
      var s = SP.el('span', 'line-state', st.text);
      if (st.title) s.title = st.title;
      b.appendChild(s);
      b.appendChild(SP.el('span', 'timer', timerText(c)));
      b.addEventListener('click', function () { SP.calls.switchTo(c.line); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    var ringing = all.filter(function (x) { return x.dir === 2 && (x.state === 'setup' || x.state === 'ringing'); });
    document.title = ringing.length ? SP.t('incoming') + ': ' + ringing[0].name : SP.brand || document.title;
    var c = lines[sel];
    if (!c) {
      stopTicker();
      return;
    }
    $('cardName').textContent = c.name;
    $('cardNumber').textContent = c.name !== c.peer ? c.peer : '';
    $('cardAvatar').textContent = SP.initials(c.name);
    var st = stateWords(c);
    $('cardState').textContent = st.text;
    $('cardState').title = st.title;
    $('card').className = 'card ' + c.state + (c.held && live(c) ? ' held' : '') + (c.reason && c.reason.key !== 'ended' ? ' failed' : '');
    $('cardTimer').textContent = timerText(c);
    var ringingIn = c.dir === 2 && c.state !== 'connected' && c.state !== 'ended';
    var wasShown = !$('incomingActions').hidden;
    SP.show('incomingActions', ringingIn);
    // a keyboard user finds the answer button focused, unless busy in a field
    if (ringingIn && !wasShown && (!document.activeElement || document.activeElement === document.body)) $('btnAnswer').focus();
    SP.show('callActions', live(c) && !ringingIn);
    var connected = c.state === 'connected';
    ['btnMute', 'btnHold', 'btnKeypad', 'btnTransfer', 'btnConference', 'btnScreen'].forEach(function (id) {
      $(id).disabled = !connected;
    });
    $('btnHold').setAttribute('aria-pressed', c.held ? 'true' : 'false');
    $('btnHold').querySelector('.lbl').textContent = SP.t(c.held ? 'resume' : 'hold');
    $('btnMute').setAttribute('aria-pressed', c.muted ? 'true' : 'false');
    $('btnMute').querySelector('.lbl').textContent = SP.t(c.muted ? 'unmute' : 'mute');
    $('btnScreen').querySelector('.lbl').textContent = SP.t(sharing ? 'stopscreen' : 'screen');
    if (!live(c)) closeAction();
    if (all.some(function (x) { return x.connectedAt && !x.endedAt; })) startTicker(); else stopTicker();
  }

  function startTicker() {
    if (!ticker) ticker = setInterval(render, 1000);
  }
  function stopTicker() {
    clearInterval(ticker);
    ticker = null;
  }

  // holdOthers puts every connected line but keep on hold.
  function holdOthers(keep) {
    list().forEach(function (c) {
      if (c.line !== keep && c.state === 'connected' && !c.held) {
        w.setline(Number(c.line));
        if (w.hold(true)) c.held = true;
      }
    });
  }

  function select(line) {
    sel = String(line);
    w.setline(Number(line));
  }

  function closeAction() {
    actionMode = '';
    SP.show('actionForm', false);
    $('btnTransfer').setAttribute('aria-expanded', 'false');
    $('btnConference').setAttribute('aria-expanded', 'false');
  }

  function openAction(mode) {
    if (actionMode === mode) {
      closeAction();
      return;
    }
    actionMode = mode;
    $('actionLabel').textContent = SP.t(mode === 'transfer' ? 'transferto' : 'addtoconf');
    $('btnTransfer').setAttribute('aria-expanded', mode === 'transfer' ? 'true' : 'false');
    $('btnConference').setAttribute('aria-expanded', mode === 'conference' ? 'true' : 'false');
    SP.show('actionForm', true);
    $('actionNumber').value = '';
    $('actionNumber').focus();
  }

  SP.calls = {
    // onState handles onCallStateChange.
    onState: function (event, dir, peer, peerdisplay, line) {
      if (event === 'conference') {
        // the engine mixes the connected calls: they are in the conference
        list().forEach(function (x) { if (x.state === 'connected') x.conf = true; });
        render();
        return;
      }
      if (['setup', 'ringing', 'connected', 'disconnected'].indexOf(event) < 0 || line === '' || line === null || line === undefined) return;
      var key = String(line);
      var c = lines[key];
      var isNew = false;
      if (event === 'disconnected') {
        if (!c) return;
        c.state = 'ended';
        c.endedAt = Date.now();
        var inConf = list().filter(function (x) { return x.conf && live(x); });
        if (inConf.length === 1) inConf[0].conf = false; // a conference of one is a call
        if (!list().some(live)) sharing = false;
        // the CDR (next) says why; a call without one still goes away
        c.closeTimer = setTimeout(function () { SP.calls.remove(key); }, 10000);
        render();
        return;
      }
      if (!c || c.state === 'ended') {
        if (c) clearTimeout(c.closeTimer);
        c = lines[key] = { line: key, dir: Number(dir), peer: String(peer || ''), created: Date.now(), held: false, muted: false };
        isNew = true;
      }
      c.peer = String(peer || c.peer);
      c.name = SP.contacts.nameOf(c.peer) || String(peerdisplay || '') || c.peer;
      c.state = event === 'setup' && c.state === 'ringing' ? 'ringing' : event;
      if (event === 'connected' && !c.connectedAt) c.connectedAt = Date.now();
      if (isNew) sel = key; // a new call, in or out, comes to the front
      render();
    },

    // onCdr takes the reason of an ended line from its CDR.
    onCdr: function (reason, line, connectedMs, dir) {
      var c = lines[String(line)];
      if (!c || c.state !== 'ended') return;
      var r = SP.reason(reason);
      var lr = String(reason).toLowerCase();
      var normal = /^(bye|cancel)\b/i.test(reason) || /user hung up/.test(lr);
      if (c.dir === 2 && !c.connectedAt && /cancel received/.test(lr)) r = { key: 'missedcall', words: SP.t('missedcall'), code: reason };
      else if (normal) r = { key: 'ended', words: SP.t('ended'), code: reason };
      c.reason = r;
      clearTimeout(c.closeTimer);
      var param = r.key === 'ended' || r.key === 'missedcall' ? 'closecall_timeout' : 'closecall_timeout_err';
      var ms = parseInt(w.getparameter(param), 10);
      if (!(ms >= 0)) ms = r.key === 'ended' ? 3000 : 8000;
      c.closeTimer = setTimeout(function () { SP.calls.remove(c.line); }, ms);
      render();
    },

    remove: function (line) {
      var c = lines[String(line)];
      if (!c || c.state !== 'ended') return;
      delete lines[String(line)];
      var rest = list().filter(live);
      if (sel === String(line) && rest.length) select(rest[rest.length - 1].line);
      render();
    },

    // call dials number, holding the call in progress.
    call: function (number, video) {
      number = String(number || '').trim();
      if (!number) return false;
      holdOthers('');
      return video ? w.videocall(number) : w.call(number);
    },

    answer: function () {
      var c = lines[sel];
      if (!c) return;
      holdOthers(c.line);
      w.setline(Number(c.line));
      w.accept();
    },
    reject: function () {
      var c = lines[sel];
      if (c) w.setline(Number(c.line));
      w.reject();
    },
    hangup: function () {
      var c = lines[sel];
      if (c) w.hangup(Number(c.line));
    },
    toggleHold: function () {
      var c = lines[sel];
      if (!c || c.state !== 'connected') return;
      w.setline(Number(c.line));
      if (w.hold(!c.held)) {
        var held = !c.held;
        c.held = held;
        // the engine holds and resumes a conference's calls together
        if (c.conf) list().forEach(function (x) { if (x.conf && live(x)) x.held = held; });
      }
      render();
    },
    toggleMute: function () {
      var c = lines[sel];
      if (!c || c.state !== 'connected') return;
      w.setline(Number(c.line));
      if (w.mute(!c.muted, 2)) {
        var muted = !c.muted;
        c.muted = muted;
        if (c.conf) list().forEach(function (x) { if (x.conf && live(x)) x.muted = muted; });
      }
      render();
    },
    // switchTo selects line n: the line left goes on hold, n comes off it.
    switchTo: function (n) {
      n = String(n);
      var c = lines[n];
      if (!c || n === sel) return;
      var old = lines[sel];
      // calls of one conference stay together: choosing another one holds
      // nobody
      if (old && old.state === 'connected' && !old.held && !(old.conf && c.conf)) {
        w.setline(Number(old.line));
        if (w.hold(true)) old.held = true;
      }
      select(n);
      if (c.state === 'connected' && c.held && w.hold(false)) c.held = false;
      render();
    },
    dtmf: function (digit) {
      var c = lines[sel];
      if (!c || c.state !== 'connected') return;
      w.setline(Number(c.line));
      w.dtmf(digit);
    },
    openAction: openAction,
    closeAction: closeAction,
    // runAction transfers the selected call to number, or calls number into
    // a conference with the calls in progress ("" joins the lines there
    // are).
    runAction: function (number) {
      var c = lines[sel];
      if (!c) return;
      number = String(number || '').trim();
      w.setline(Number(c.line));
      var ok;
      if (actionMode === 'transfer') {
        ok = w.transfer(number);
      } else {
        ok = w.conference(number, true);
        if (ok) list().forEach(function (x) { x.held = false; }); // the conference takes every line off hold
      }
      if (!ok) SP.toast(SP.t('failed'));
      closeAction();
      render();
    },
    toggleScreen: function () {
      var c = lines[sel];
      if (!c) return;
      if (sharing) {
        w.stopscreenshare();
        sharing = false;
      } else {
        sharing = !!w.screenshare(c.peer);
      }
      render();
    },
    hasLive: function () { return list().some(live); },
    render: render
  };
})(window.SP = window.SP || {});
