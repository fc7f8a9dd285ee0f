/*
 * contacts.js: the Contacts and History pages of the softphone skin, over
 * the engine's listcontacts/addcontact/delcontact and listcallhistory
 * (records separated by CRLF, fields by TAB, as Mizu documents them), with
 * a presence lamp and a busy lamp per contact (checkpresence, checkblf).
 */
(function (SP) {
  'use strict';
  var w = window.webphone_api;
  var $ = SP.$;
  var contacts = []; // {name, numbers: []}
  var presence = {}; // number -> state
  var blf = {}; // number -> dialog state
  var watched = '';

  function records(text) {
    if (text === null || text === undefined) return [];
    return String(text).split(/\r?\n/).filter(function (r) { return r.trim() !== ''; })
      .map(function (r) { return r.split('\t'); });
  }

  function load() {
    var raw = null;
    try {
      raw = w.listcontacts(false);
    } catch (e) { /* the engine answers null when it has none */ }
    contacts = records(raw).map(function (f) {
      return { name: f[0] || '', numbers: String(f[1] || '').split('|').filter(Boolean), favorite: f[2] === '1' };
    }).filter(function (c) { return c.numbers.length; });
    contacts.sort(function (a, b) { return a.name.localeCompare(b.name); });
  }

  function lampFor(number) {
    var b = blf[number];
    if (b === 'confirmed' || b === 'early' || b === 'proceeding' || b === 'trying') {
      return { lamp: 'busy', title: SP.t(b === 'confirmed' ? 'p_incall' : 'p_ringing') };
    }
    var p = SP.presence(presence[number]);
    return { lamp: p.lamp, title: SP.t(p.key) };
  }

  function renderContacts() {
    var ul = $('contactList');
    ul.textContent = '';
    var dl = $('contactNumbers');
    dl.textContent = '';
    contacts.forEach(function (c) {
      var num = c.numbers[0];
      var li = SP.el('li', 'contact');
      li.setAttribute('data-number', num);
      var lamp = lampFor(num);
      var l = SP.el('span', 'lamp ' + lamp.lamp);
      l.title = lamp.title;
      l.setAttribute('role', 'img');
      l.setAttribute('aria-label', lamp.title);
      li.appendChild(l);
      var who = SP.el('span', 'who');
      who.appendChild(SP.el('span', 'name', c.name));
      who.appendChild(SP.el('span', 'num', c.numbers.join(', ')));
      li.appendChild(who);
      li.appendChild(action('phone', SP.t('call') + ' ' + c.name, 'call', function () { SP.calls.call(num); SP.showTab('tabDial'); }));
      li.appendChild(action('chat', SP.t('chatwith') + ' ' + c.name, 'chat', function () { SP.chat.open(num); }));
      li.appendChild(action('trash', SP.t('delete') + ' ' + c.name, 'del', function () {
        w.delcontact(c.name, num);
        SP.contacts.refresh();
      }));
      ul.appendChild(li);
      var o = document.createElement('option');
      o.value = num;
      o.label = c.name;
      dl.appendChild(o);
    });
    SP.show('contactsEmpty', contacts.length === 0);
  }

  function action(icon, label, cls, fn) {
    var b = SP.el('button', 'iconbtn ' + cls);
    b.appendChild(SP.icon(icon));
    b.type = 'button';
    b.title = label;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', fn);
    return b;
  }

  // watch subscribes to the presence and busy lamps of the contacts (once
  // per list, while registered).
  function watch() {
    var nums = contacts.map(function (c) { return c.numbers[0]; }).join(',');
    if (!nums || nums === watched || !w.isregistered()) return;
    watched = nums;
    w.checkpresence(nums);
    w.checkblf(nums);
  }

  function renderHistory() {
    var raw = null;
    try {
      raw = w.listcallhistory();
    } catch (e) { /* null: no history */ }
    var rows = records(raw).map(function (f) {
      var d = /^\d+$/.test(f[3] || '') ? Number(f[3]) : Date.parse(f[3] || '');
      return { type: Number(f[0]), name: f[1] || '', number: f[2] || '', at: d, duration: Number(f[4]) || 0, reason: f[5] || '' };
    });
    rows.sort(function (a, b) { return (b.at || 0) - (a.at || 0); });
    var ul = $('historyList');
    ul.textContent = '';
    rows.forEach(function (h) {
      var kind = ['outgoing', 'incomingcall', 'missed'][h.type] || 'outgoing';
      var li = SP.el('li', 'hist ' + kind);
      li.setAttribute('data-number', h.number);
      var ic = SP.el('span', 'histicon', ['↗', '↙', '✕'][h.type] || '↗');
      ic.title = SP.t(kind);
      ic.setAttribute('role', 'img');
      ic.setAttribute('aria-label', SP.t(kind));
      li.appendChild(ic);
      var who = SP.el('span', 'who');
      var name = SP.contacts.nameOf(h.number) || h.name || h.number;
      who.appendChild(SP.el('span', 'name', name));
      var r = SP.reason(h.reason);
      var detail = SP.when(h.at);
      if (h.duration > 0) detail += ' · ' + SP.clock(h.duration / 1000);
      else if (h.reason && r.key !== 'ended' && r.key !== 'cancelled') detail += ' · ' + r.words;
      var det = SP.el('span', 'num', detail);
      if (h.reason) det.title = h.reason;
      who.appendChild(det);
      li.appendChild(who);
      li.appendChild(action('phone', SP.t('call') + ' ' + name, 'call', function () { SP.calls.call(h.number); SP.showTab('tabDial'); }));
      ul.appendChild(li);
    });
    SP.show('historyEmpty', rows.length === 0);
  }

  SP.contacts = {
    refresh: function () {
      load();
      renderContacts();
      watch();
      SP.chat && SP.chat.renderThreads();
    },
    refreshHistory: renderHistory,
    // add saves a contact; false when the engine refuses it.
    add: function (name, number) {
      name = String(name || '').trim();
      number = String(number || '').trim();
      if (!number) return false;
      var ok = w.addcontact(name || number, number, '', '', '', '', '', '0');
      SP.contacts.refresh();
      return ok !== false;
    },
    // nameOf is the contact name of number, or "".
    nameOf: function (number) {
      number = String(number || '');
      for (var i = 0; i < contacts.length; i++) {
        if (contacts[i].numbers.indexOf(number) >= 0) return contacts[i].name;
      }
      return '';
    },
    onPresence: function (peer, state) {
      presence[String(peer)] = String(state);
      renderContacts();
      SP.chat && SP.chat.renderLamp();
    },
    onBLF: function (peer, direction, state) {
      blf[String(peer)] = String(state);
      renderContacts();
    },
    lampFor: lampFor,
    registered: function () {
      watched = '';
      watch();
    }
  };
})(window.SP = window.SP || {});
