/*
 * chat.js: the Chat page of the softphone skin: one thread per contact
 * with the time of each message and unread marks, kept in the skin's store
 * (store.js) for the signed-in user.
 */
(function (SP) {
  'use strict';
  var w = window.webphone_api;
  var $ = SP.$;
  var MAX = 200; // messages kept per thread
  var threads = {}; // peer -> {msgs: [{d: 'in'|'out', t, at}], unread}
  var openPeer = '';
  var visible = false; // the Chat page is shown

  function save() { SP.store.set('chat', threads); }

  function add(peer, dir, text) {
    var th = threads[peer] || (threads[peer] = { msgs: [], unread: 0 });
    th.msgs.push({ d: dir, t: String(text), at: Date.now() });
    if (th.msgs.length > MAX) th.msgs.splice(0, th.msgs.length - MAX);
    if (dir === 'in' && !(visible && openPeer === peer && !document.hidden)) th.unread++;
    save();
  }

  function badge() {
    var n = 0;
    Object.keys(threads).forEach(function (p) { n += threads[p].unread || 0; });
    $('chatBadge').textContent = n ? String(n) : '';
    $('chatBadge').title = n + ' ' + SP.t('unread');
    SP.show('chatBadge', n > 0);
  }

  function renderThreads() {
    var ul = $('threadList');
    ul.textContent = '';
    var peers = Object.keys(threads).sort(function (a, b) {
      return last(threads[b]).at - last(threads[a]).at;
    });
    peers.forEach(function (p) {
      var th = threads[p];
      var m = last(th);
      var li = SP.el('li', 'thread' + (th.unread ? ' unread' : ''));
      li.setAttribute('data-peer', p);
      var b = SP.el('button', 'threadbtn');
      b.type = 'button';
      var lamp = SP.contacts.lampFor(p);
      var l = SP.el('span', 'lamp ' + lamp.lamp);
      l.title = lamp.title;
      b.appendChild(l);
      var who = SP.el('span', 'who');
      who.appendChild(SP.el('span', 'name', SP.contacts.nameOf(p) || p));
      who.appendChild(SP.el('span', 'num', (m.d === 'out' ? '→ ' : '') + m.t));
      b.appendChild(who);
      b.appendChild(SP.el('span', 'time', SP.when(m.at)));
      if (th.unread) {
        var u = SP.el('span', 'badge', th.unread);
        u.title = th.unread + ' ' + SP.t('unread');
        b.appendChild(u);
      }
      b.addEventListener('click', function () { SP.chat.open(p); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    SP.show('chatEmpty', peers.length === 0);
    badge();
  }

  function last(th) { return th.msgs[th.msgs.length - 1] || { t: '', at: 0, d: 'in' }; }

  function renderThread() {
    var th = threads[openPeer] || { msgs: [], unread: 0 };
    $('threadPeer').textContent = SP.contacts.nameOf(openPeer) || openPeer;
    var ol = $('messages');
    ol.textContent = '';
    th.msgs.forEach(function (m) {
      var li = SP.el('li', 'msg ' + m.d);
      li.appendChild(SP.el('span', 'text', m.t));
      var tm = SP.el('time', 'time', SP.when(m.at));
      tm.dateTime = new Date(m.at).toISOString();
      li.appendChild(tm);
      ol.appendChild(li);
    });
    ol.scrollTop = ol.scrollHeight;
    renderLamp();
  }

  function renderLamp() {
    if (!openPeer) return;
    var lamp = SP.contacts.lampFor(openPeer);
    $('threadLamp').className = 'lamp ' + lamp.lamp;
    $('threadLamp').title = lamp.title;
  }

  function markRead() {
    var th = threads[openPeer];
    if (th && th.unread && visible && !document.hidden) {
      th.unread = 0;
      save();
    }
  }

  SP.chat = {
    // load reads the threads of the signed-in user.
    load: function () {
      var t = SP.store.get('chat', {});
      threads = t && typeof t === 'object' ? t : {};
      renderThreads();
    },
    onChat: function (from, msg) {
      from = String(from || '');
      if (!from) return;
      add(from, 'in', msg);
      if (openPeer === from) {
        markRead();
        renderThread();
      }
      renderThreads();
    },
    send: function (text) {
      text = String(text || '');
      if (!openPeer || !text.trim()) return false;
      if (!w.sendchat(openPeer, text)) {
        SP.toast(SP.t('failed'));
        return false;
      }
      add(openPeer, 'out', text);
      renderThread();
      renderThreads();
      return true;
    },
    // open shows the thread with peer on the Chat page.
    open: function (peer) {
      peer = String(peer || '').trim();
      if (!peer) return;
      openPeer = peer;
      SP.showTab('tabChat');
      SP.show('threadsView', false);
      SP.show('threadView', true);
      markRead();
      renderThread();
      renderThreads();
      $('chatInput').focus();
    },
    back: function () {
      openPeer = '';
      SP.show('threadView', false);
      SP.show('threadsView', true);
      renderThreads();
    },
    shown: function (on) {
      visible = on;
      if (on && openPeer) {
        markRead();
        renderThreads();
      }
    },
    peer: function () { return openPeer; },
    renderThreads: renderThreads,
    renderLamp: renderLamp
  };
})(window.SP = window.SP || {});
