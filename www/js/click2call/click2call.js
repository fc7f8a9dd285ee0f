/*
 * click2call.js: the click-to-call skin. Every <div id="c2k_container_N"
 * title="CALLTO"> of the page becomes a call button for CALLTO (the title,
 * else the callto parameter): click to call, click again to hang up; the
 * status (ringing, the call's time, or why it ended) shows on the button.
 * A right click or a long press opens a chat window with the same number.
 *
 * autoaction (parameter): 0 show the button, 1 call at once, 2 open the
 * chat, 3 video call at once. The engine places the automatic call; the
 * button follows it.
 *
 * The look is set by the variables below (as in the Mizu click2call.js);
 * float_button may also come as a parameter (wp_float_button=1).
 */
(function () {
  'use strict';
  var call_button_text = 'Call';
  var hangup_button_text = 'Hangup';
  var call_button_color = '#43b61b';
  var hangup_button_color = '#e83232';
  var status_text_color = '#ffffff';
  var button_width = 135;
  var button_height = 42;
  var button_radius = 5;
  var chatwindow_title = 'Chat';
  var chatwindow_default_state = 0; // 0 open, 1 collapsed
  var float_button = false;
  var float_distance_from_top = -1;
  var float_distance_from_left = -1;
  var float_distance_from_bottom = 20;
  var float_distance_from_right = 20;

  var w = window.webphone_api;
  var buttons = []; // {el, button, label, status, callto}
  var active = null; // the button whose call is in progress
  var line = ''; // that call's line
  var connectedAt = 0;
  var ticker = null;
  var chat = null; // the chat window

  function param(name) { return String(w.getparameter(name) || ''); }

  function words(reason) {
    if (window.SP && window.SP.reason) return window.SP.reason(reason).words;
    return String(reason || '');
  }

  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ':' + (s % 60 < 10 ? '0' : '') + (s % 60);
  }

  function paint(b, inCall, status, title) {
    b.button.style.background = inCall ? hangup_button_color : call_button_color;
    b.label.textContent = inCall ? hangup_button_text : call_button_text;
    b.status.textContent = status || '';
    b.status.title = title || '';
    b.button.setAttribute('aria-label', (inCall ? hangup_button_text : call_button_text) + ' ' + b.callto +
      (status ? ' (' + status + ')' : ''));
    b.el.setAttribute('data-state', inCall ? 'incall' : 'idle');
  }

  function make(el) {
    var b = { el: el, callto: el.getAttribute('title') || param('callto') };
    el.textContent = '';
    el.removeAttribute('title');
    el.classList.add('c2k');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'c2k-button';
    button.style.width = button_width + 'px';
    button.style.minHeight = button_height + 'px';
    button.style.borderRadius = button_radius + 'px';
    button.style.color = status_text_color;
    b.label = document.createElement('span');
    b.label.className = 'c2k-label';
    b.status = document.createElement('span');
    b.status.className = 'c2k-status';
    b.status.setAttribute('aria-live', 'polite');
    button.appendChild(b.label);
    button.appendChild(b.status);
    el.appendChild(button);
    b.button = button;
    button.addEventListener('click', function () { press(b); });
    button.addEventListener('contextmenu', function (e) {
      e.preventDefault();
      openChat(b.callto);
    });
    var long = null;
    button.addEventListener('touchstart', function () {
      long = setTimeout(function () { openChat(b.callto); }, 700);
    }, { passive: true });
    button.addEventListener('touchend', function () { clearTimeout(long); });
    if (floating()) {
      el.classList.add('c2k-float');
      place(el.style);
    }
    paint(b, false, '');
    return b;
  }

  function floating() {
    var p = param('float_button').toLowerCase();
    return p ? (p === 'true' || p === '1') : float_button;
  }

  function place(style) {
    style.position = 'fixed';
    style.zIndex = '1000';
    if (float_distance_from_top >= 0) style.top = float_distance_from_top + 'px';
    if (float_distance_from_left >= 0) style.left = float_distance_from_left + 'px';
    if (float_distance_from_bottom >= 0 && float_distance_from_top < 0) style.bottom = float_distance_from_bottom + 'px';
    if (float_distance_from_right >= 0 && float_distance_from_left < 0) style.right = float_distance_from_right + 'px';
  }

  function press(b) {
    if (active) {
      w.hangup(line === '' ? undefined : Number(line));
      return;
    }
    if (!b.callto) {
      paint(b, false, 'no number to call');
      return;
    }
    active = b;
    line = '';
    paint(b, true, '…');
    if (!w.call(b.callto)) {
      active = null;
      paint(b, false, words('failed'));
    }
  }

  function tick() {
    if (active && connectedAt) paint(active, true, clock(Date.now() - connectedAt));
  }

  // ---- the chat window --------------------------------------------------
  function openChat(to) {
    if (!to) return;
    if (!chat) chat = makeChat();
    chat.to = to;
    chat.box.hidden = false;
    chat.body.hidden = false;
    chat.input.focus();
  }

  function makeChat() {
    var c = {};
    c.box = document.createElement('section');
    c.box.className = 'c2k-chat';
    c.box.setAttribute('aria-label', chatwindow_title);
    var head = document.createElement('button');
    head.type = 'button';
    head.className = 'c2k-chat-title';
    head.textContent = chatwindow_title;
    head.addEventListener('click', function () { c.body.hidden = !c.body.hidden; });
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'c2k-chat-close';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', function () { c.box.hidden = true; });
    c.body = document.createElement('div');
    c.body.className = 'c2k-chat-body';
    c.body.hidden = chatwindow_default_state === 1;
    c.log = document.createElement('ol');
    c.log.className = 'c2k-chat-log';
    var form = document.createElement('form');
    c.input = document.createElement('input');
    c.input.className = 'c2k-chat-input';
    c.input.setAttribute('aria-label', 'Message');
    var send = document.createElement('button');
    send.type = 'submit';
    send.textContent = 'Send';
    form.appendChild(c.input);
    form.appendChild(send);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = c.input.value;
      if (text.trim() && w.sendchat(c.to, text)) {
        addMessage(c, 'out', text);
        c.input.value = '';
      }
    });
    c.body.appendChild(c.log);
    c.body.appendChild(form);
    c.box.appendChild(head);
    c.box.appendChild(close);
    c.box.appendChild(c.body);
    if (floating()) c.box.classList.add('c2k-float-chat');
    document.body.appendChild(c.box);
    return c;
  }

  function addMessage(c, dir, text) {
    var li = document.createElement('li');
    li.className = 'c2k-msg ' + dir;
    li.textContent = text;
    c.log.appendChild(li);
    c.log.scrollTop = c.log.scrollHeight;
  }

  // ---- the engine's events ----------------------------------------------
  function setup() {
    var els = document.querySelectorAll('[id^="c2k_container_"]');
    for (var i = 0; i < els.length; i++) buttons.push(make(els[i]));
    var aa = param('autoaction');
    if (aa === '2' && buttons.length) openChat(buttons[0].callto || param('to'));
  }

  w.onAppStateChange(function (state) {
    if (state !== 'loaded') return;
    // the script may sit in <head>: the containers exist once the page is parsed
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
    else setup();
  });

  w.onRegStateChange(function (state, reason) {
    if (state === 'failed' && !active) {
      buttons.forEach(function (b) { paint(b, false, words(reason), reason); });
    }
  });

  w.onCallStateChange(function (event, direction, peer, peerdisplay, ln) {
    if (['setup', 'ringing', 'connected', 'disconnected'].indexOf(event) < 0) return;
    if (!active) {
      // a call the engine placed (autoaction 1 or 3) belongs to the button
      // of its number
      if (event === 'disconnected' || Number(direction) !== 1) return;
      buttons.forEach(function (b) { if (b.callto === peer) active = b; });
      if (!active) active = buttons[0];
      if (!active) return;
    }
    if (line === '' && ln !== '' && ln !== undefined) line = String(ln);
    if (String(ln) !== line) return;
    if (event === 'connected') {
      connectedAt = Date.now();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
      tick();
    } else if (event === 'ringing') {
      paint(active, true, (window.SP && window.SP.t) ? window.SP.t('ringing') : 'Ringing…');
    } else if (event === 'setup') {
      paint(active, true, (window.SP && window.SP.t) ? window.SP.t('calling') : 'Calling…');
    }
  });

  w.onCdr(function (caller, called, connecttime, duration, direction, peer, reason, ln) {
    if (!active || String(ln) !== line) return;
    var b = active;
    var normal = /^(bye|cancel)\b/i.test(String(reason));
    active = null;
    line = '';
    connectedAt = 0;
    clearInterval(ticker);
    paint(b, false, normal ? clock(Number(duration) || 0) : words(reason), reason);
  });

  w.onChat(function (from, msg) {
    openChat(from);
    addMessage(chat, 'in', msg);
  });
})();
