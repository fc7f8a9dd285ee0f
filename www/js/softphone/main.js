/*
 * main.js: wires the softphone skin to webphone_api: the login screen
 * (shown until the account registers, and again when it is refused), the
 * pages, the keyboard, and the documented look parameters (brandname,
 * colortheme, language, logo, header, footer, showserverinput,
 * disableoptions, autologin, useloginpage).
 */
(function (SP) {
  'use strict';
  var w = window.webphone_api;
  var $ = SP.$;
  var FIELDS = ['username', 'password', 'serveraddress', 'webrtcserveraddress', 'displayname'];
  var signingIn = false; // the login form is waiting for the registration
  var everRegistered = false;
  var user = '';

  function param(name) { return String(w.getparameter(name) || ''); }

  SP.setLanguage = function (code) {
    SP.pickLanguage(code, param('languageautodetect'));
    document.documentElement.lang = SP.lang;
    SP.translate(document);
    SP.calls.render();
    SP.chat.renderThreads();
    SP.contacts.refresh();
    SP.contacts.refreshHistory();
  };

  function applyLook() {
    var brand = param('brandname') || 'Softphone';
    $('brand').textContent = brand;
    document.title = SP.brand = brand;
    SP.applyTheme(param('colortheme'));
    SP.setLanguage(param('language'));
    var logo = param('logo');
    $('logo').textContent = logo ? logo + ' ' : '';
    ['header', 'footer'].forEach(function (k) {
      var v = param(k);
      $(k).textContent = v; // text only: a URL parameter must not become markup
      SP.show(k, v !== '');
    });
    if (param('showserverinput') === '0') SP.show('serverBox', false);
    var off = param('disableoptions').toUpperCase().split(/[,;\s]+/);
    var hide = function (opt, ids) {
      if (off.indexOf(opt) >= 0) ids.forEach(function (id) { SP.show(id, false); });
    };
    hide('CHAT', ['tabChat', 'btnChatTo']);
    hide('VIDEO', ['btnVideoCall', 'btnScreen']);
    hide('CONFERENCE', ['btnConference']);
    hide('PAGE_CONTACTS', ['tabContacts']);
    hide('PAGE_HISTORY', ['tabHistory']);
    hide('RECENTS', ['tabHistory']);
  }

  function setReg(cls, text, title) {
    var r = $('regState');
    r.className = 'reg ' + cls;
    r.textContent = text;
    r.title = title || '';
  }

  function showLogin(error) {
    SP.show('main', false);
    SP.show('login', true);
    FIELDS.forEach(function (f) { if (f !== 'password' || !$(f).value) $(f).value = param(f); });
    if (!$('serveraddress').value || !$('webrtcserveraddress').value) $('serverBox').open = true;
    $('loginError').textContent = error ? error.words : '';
    $('loginError').title = error ? error.code : '';
    $('btnLogin').disabled = false;
    $('btnLogin').textContent = SP.t('signin');
    $('app').removeAttribute('aria-busy');
    ($('username').value ? $('password') : $('username')).focus();
  }

  // openAccount chooses the skin's store of the account and reads it.
  function openAccount() {
    user = param('username');
    SP.store.open(param('profile') || String((w.parameters && w.parameters.profile) || ''), user);
    SP.chat.load();
    SP.contacts.refresh();
    SP.contacts.refreshHistory();
    $('me').textContent = (param('displayname') || user);
  }

  function showMain() {
    SP.show('login', false);
    SP.show('main', true);
    $('app').removeAttribute('aria-busy');
  }

  function login(e) {
    e.preventDefault();
    var u = $('username').value.trim();
    if (!u) {
      $('loginError').textContent = SP.t('username') + '?';
      $('username').focus();
      return;
    }
    if (!$('serveraddress').value.trim() && !$('webrtcserveraddress').value.trim()) {
      $('serverBox').open = true;
      $('loginError').textContent = SP.t('serveraddress') + '?';
      $('serveraddress').focus();
      return;
    }
    FIELDS.forEach(function (f) {
      var v = f === 'password' ? $(f).value : $(f).value.trim();
      w.setparameter(f, v, true);
    });
    signingIn = true;
    $('loginError').textContent = '';
    $('btnLogin').disabled = true;
    $('btnLogin').textContent = SP.t('signingin');
    setReg('busy', SP.t('connecting'));
    w.stop(); // the new account applies at the next start
    w.start();
    if (param('register') === '0') w.register();
  }

  function logout() {
    w.unregister();
    w.stop();
    w.setparameter('password', '', true);
    $('password').value = '';
    everRegistered = false;
    setReg('off', SP.t('offline'));
    showLogin(null);
  }

  w.onAppStateChange(function (state) {
    if (state !== 'loaded') return;
    applyLook();
    var ready = param('username') && param('password') &&
      (param('serveraddress') || param('webrtcserveraddress'));
    var askAnyway = param('useloginpage') === '2' || param('autologin') === '0';
    if (ready && !askAnyway) {
      openAccount();
      setReg('busy', SP.t('connecting'));
      showMain();
      if (param('autologin') === '1' || param('autostart') === '0') w.start();
    } else {
      setReg('off', SP.t('offline'));
      showLogin(null);
    }
  });

  w.onRegStateChange(function (state, reason) {
    if (state === 'registered') {
      everRegistered = true;
      if (signingIn || user !== param('username')) openAccount();
      signingIn = false;
      setReg('on', SP.t('online'));
      showMain();
      if (param('enablepresence') !== '0') w.setpresencestatus('Online'); // watchers see the user online
      SP.contacts.registered();
      return;
    }
    var r = reason ? SP.reason(reason) : null;
    if (state === 'failed') {
      setReg('off', r ? r.words : SP.t('offline'), reason);
      if (signingIn || !everRegistered) {
        signingIn = false;
        w.stop(); // no retries with credentials the server refuses
        showLogin(r);
      }
    } else if (state === 'unregistered') {
      setReg('off', SP.t('offline'));
    }
  });

  w.onCallStateChange(function (event, direction, peer, peerdisplay, line) {
    SP.calls.onState(event, direction, peer, peerdisplay, line);
  });
  w.onCdr(function (caller, called, connecttime, duration, direction, peer, reason, line) {
    SP.calls.onCdr(reason, line, connecttime, direction);
    SP.contacts.refreshHistory();
  });
  w.onChat(function (from, msg) { SP.chat.onChat(from, msg); });
  w.onPresenceStateChange(function (peer, state) { SP.contacts.onPresence(peer, state); });
  w.onBLFStateChange(function (peer, direction, state) { SP.contacts.onBLF(peer, direction, state); });
  w.onEvent(function (type, message) {
    if (type !== 'display') return;
    var m = String(message || '');
    var comma = m.indexOf(',');
    var text = comma >= 0 ? m.substring(comma + 1) : m;
    if (!text || !$('login').hidden) return; // the login screen says it in its own words
    if (param('showtoasts') !== 'false' && param('disabletoasts') !== '1') SP.toast(text);
  });

  // ---- the page's controls ------------------------------------------------
  var number = $('number');
  SP.makePad($('pad'), function (k) {
    number.value += k;
    number.focus();
  }, true);
  SP.makePad($('dtmfPad'), function (k) { SP.calls.dtmf(k); }, false);
  $('btnBackspace').addEventListener('click', function () {
    number.value = number.value.slice(0, -1);
    number.focus();
  });
  $('btnCall').addEventListener('click', function () {
    if (SP.calls.call(number.value, false)) number.value = '';
  });
  $('btnVideoCall').addEventListener('click', function () {
    if (SP.calls.call(number.value, true)) number.value = '';
  });
  $('btnChatTo').addEventListener('click', function () { SP.chat.open(number.value); });
  number.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      $('btnCall').click();
    }
  });
  $('btnAnswer').addEventListener('click', SP.calls.answer);
  $('btnReject').addEventListener('click', SP.calls.reject);
  $('btnHangup').addEventListener('click', SP.calls.hangup);
  $('btnHold').addEventListener('click', SP.calls.toggleHold);
  $('btnMute').addEventListener('click', SP.calls.toggleMute);
  $('btnScreen').addEventListener('click', SP.calls.toggleScreen);
  $('btnKeypad').addEventListener('click', function () {
    var open = $('dtmfPad').hidden;
    SP.show('dtmfPad', open);
    $('btnKeypad').setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  $('btnTransfer').addEventListener('click', function () { SP.calls.openAction('transfer'); });
  $('btnConference').addEventListener('click', function () { SP.calls.openAction('conference'); });
  $('btnNewCall').addEventListener('click', function () {
    SP.showTab('tabDial');
    number.focus();
  });
  $('actionForm').addEventListener('submit', function (e) {
    e.preventDefault();
    SP.calls.runAction($('actionNumber').value);
  });
  $('btnActionCancel').addEventListener('click', SP.calls.closeAction);
  $('contactForm').addEventListener('submit', function (e) {
    e.preventDefault();
    if (SP.contacts.add($('contactName').value, $('contactNumber').value)) {
      $('contactName').value = '';
      $('contactNumber').value = '';
      $('contactName').focus();
    } else {
      SP.toast(SP.t('failed'));
    }
  });
  $('newChatForm').addEventListener('submit', function (e) {
    e.preventDefault();
    SP.chat.open($('newChatTo').value);
    $('newChatTo').value = '';
  });
  $('chatForm').addEventListener('submit', function (e) {
    e.preventDefault();
    if (SP.chat.send($('chatInput').value)) $('chatInput').value = '';
  });
  $('btnThreadBack').addEventListener('click', SP.chat.back);
  $('btnThreadCall').addEventListener('click', function () {
    SP.calls.call(SP.chat.peer(), false);
  });
  $('loginForm').addEventListener('submit', login);
  $('btnLogout').addEventListener('click', logout);

  SP.showTab = SP.tabs(document.querySelector('.tabs'), function (id) {
    SP.chat.shown(id === 'tabChat');
    if (id === 'tabContacts') SP.contacts.refresh();
    if (id === 'tabHistory') SP.contacts.refreshHistory();
    if (id === 'tabSettings') SP.settings.shown();
  });
  SP.settings.init();

  // Keys typed anywhere but a field: digits dial (or send tones in a call
  // with the keypad open), Backspace deletes, Escape closes the forms.
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || $('main').hidden) return;
    if (t && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName) && e.key !== 'Escape') return;
    if (e.key === 'Escape') {
      SP.calls.closeAction();
      return;
    }
    if (/^[0-9*#+]$/.test(e.key)) {
      if (!$('dtmfPad').hidden && !$('callView').hidden) SP.calls.dtmf(e.key);
      else if (!$('panelDial').hidden) number.value += e.key;
    } else if (e.key === 'Backspace' && !$('panelDial').hidden) {
      number.value = number.value.slice(0, -1);
    } else if (e.key === 'Enter' && !$('panelDial').hidden && number.value) {
      $('btnCall').click();
    }
  });
  document.addEventListener('visibilitychange', function () { SP.chat.shown(!$('panelChat').hidden); });
})(window.SP = window.SP || {});
