/*
 * ui.js: small DOM helpers of the softphone skin. Text from the network
 * only ever goes in through textContent (SP.el), never as HTML.
 */
(function (SP) {
  'use strict';
  SP.$ = function (id) { return document.getElementById(id); };

  // el makes an element with a class and text (both optional).
  SP.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };

  // icon makes an <svg> showing the symbol #i-name of softphone.html.
  SP.icon = function (name) {
    var NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'ico');
    svg.setAttribute('aria-hidden', 'true');
    var use = document.createElementNS(NS, 'use');
    use.setAttribute('href', '#i-' + name);
    svg.appendChild(use);
    return svg;
  };

  SP.show = function (id, on) {
    var e = typeof id === 'string' ? SP.$(id) : id;
    if (e) e.hidden = !on;
  };

  var toastTimer = null;
  SP.toast = function (text) {
    var t = SP.$('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 4000);
  };

  // clock formats seconds as m:ss or h:mm:ss.
  SP.clock = function (secs) {
    secs = Math.max(0, Math.floor(secs));
    var h = Math.floor(secs / 3600), m = Math.floor(secs / 60) % 60, s = secs % 60;
    var mm = h ? (m < 10 ? '0' : '') + m : String(m);
    return (h ? h + ':' : '') + mm + ':' + (s < 10 ? '0' : '') + s;
  };

  // when formats a time: the clock for today, else the date and clock.
  SP.when = function (ms) {
    var d = new Date(ms);
    if (isNaN(d.getTime())) return '';
    var now = new Date();
    var time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (d.toDateString() === now.toDateString()) return time;
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
  };

  // initials of a name for the caller card's avatar.
  SP.initials = function (name) {
    var parts = String(name || '').trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return '?';
    var s = parts[0].charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : '');
    return s.toUpperCase();
  };

  // makePad fills container with the 12 keys; press(key) gets each press.
  // With plus, a long press on 0 gives '+'.
  SP.makePad = function (container, press, plus) {
    var subs = { 1: '', 2: 'ABC', 3: 'DEF', 4: 'GHI', 5: 'JKL', 6: 'MNO', 7: 'PQRS', 8: 'TUV', 9: 'WXYZ', 0: plus ? '+' : '', '*': '', '#': '' };
    '123456789*0#'.split('').forEach(function (k) {
      var b = SP.el('button', 'key');
      b.type = 'button';
      b.setAttribute('data-key', k);
      b.setAttribute('aria-label', k);
      b.appendChild(SP.el('span', 'digit', k));
      if (subs[k]) b.appendChild(SP.el('span', 'sub', subs[k]));
      var longTimer = null, long = false;
      if (k === '0' && plus) {
        b.addEventListener('pointerdown', function () {
          long = false;
          longTimer = setTimeout(function () { long = true; press('+'); }, 600);
        });
        ['pointerup', 'pointerleave'].forEach(function (ev) {
          b.addEventListener(ev, function () { clearTimeout(longTimer); });
        });
      }
      b.addEventListener('click', function () {
        if (long) { long = false; return; }
        press(k);
      });
      container.appendChild(b);
    });
  };

  // tabs wires a role=tablist: click or arrow keys choose a tab; onShow(id)
  // runs when a panel is shown.
  SP.tabs = function (list, onShow) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll('[role=tab]'));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute('aria-selected', on ? 'true' : 'false');
        t.tabIndex = on ? 0 : -1;
        SP.show(t.getAttribute('aria-controls'), on);
      });
      if (focus) tab.focus();
      onShow(tab.id);
    }
    tabs.forEach(function (t, i) {
      t.addEventListener('click', function () { select(t, false); });
      t.addEventListener('keydown', function (e) {
        var n = null;
        if (e.key === 'ArrowRight') n = tabs[(i + 1) % tabs.length];
        else if (e.key === 'ArrowLeft') n = tabs[(i + tabs.length - 1) % tabs.length];
        else if (e.key === 'Home') n = tabs[0];
        else if (e.key === 'End') n = tabs[tabs.length - 1];
        if (n) { e.preventDefault(); select(n, true); }
      });
    });
    return function (id) { select(SP.$(id), false); };
  };
})(window.SP = window.SP || {});
