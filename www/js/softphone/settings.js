/*
 * settings.js: the Settings page of the softphone skin: microphone,
 * speaker and ringer (getdevicelist/setdevice), their volumes
 * (getvolume/setvolume), the theme and language (saved as the colortheme
 * and language parameters) and the account.
 */
(function (SP) {
  'use strict';
  var w = window.webphone_api;
  var $ = SP.$;

  function fillDevices(sel) {
    var dev = Number(sel.getAttribute('data-dev'));
    w.getdevicelist(dev, function (list) {
      var current = String(w.getdevice(dev) || '');
      sel.textContent = '';
      String(list || '').split('\r\n').filter(Boolean).forEach(function (name) {
        var o = document.createElement('option');
        o.value = name;
        o.textContent = name;
        if (name === current) o.selected = true;
        sel.appendChild(o);
      });
      sel.disabled = sel.options.length === 0;
    });
  }

  SP.settings = {
    init: function () {
      ['devMic', 'devSpk', 'devRing'].forEach(function (id) {
        $(id).addEventListener('change', function () {
          w.setdevice(Number($(id).getAttribute('data-dev')), $(id).value, true);
        });
      });
      ['volMic', 'volSpk', 'volRing'].forEach(function (id) {
        $(id).addEventListener('change', function () {
          w.setvolume(Number($(id).getAttribute('data-dev')), Number($(id).value));
        });
      });
      var ts = $('themeSelect');
      SP.themes.forEach(function (th, i) {
        if (i === 0) return; // 0 and 1 are both the default
        var o = document.createElement('option');
        o.value = String(i);
        o.textContent = th[0];
        ts.appendChild(o);
      });
      ts.addEventListener('change', function () {
        w.setparameter('colortheme', ts.value);
        SP.applyTheme(ts.value);
      });
      var ls = $('langSelect');
      Object.keys(SP.languageNames).forEach(function (code) {
        var o = document.createElement('option');
        o.value = code;
        o.textContent = SP.languageNames[code];
        ls.appendChild(o);
      });
      ls.addEventListener('change', function () {
        w.setparameter('language', ls.value);
        SP.setLanguage(ls.value);
      });
    },
    // shown fills the page from the engine each time it is opened.
    shown: function () {
      ['devMic', 'devSpk', 'devRing'].forEach(function (id) { fillDevices($(id)); });
      ['volMic', 'volSpk', 'volRing'].forEach(function (id) {
        var v = Number(w.getvolume(Number($(id).getAttribute('data-dev'))));
        $(id).value = String(v >= 0 ? v : 50);
      });
      var th = parseInt(w.getparameter('colortheme'), 10);
      $('themeSelect').value = String(th >= 1 && th < SP.themes.length ? th : 1);
      $('langSelect').value = SP.lang;
      $('accountInfo').textContent = w.getparameter('username') + '@' + w.getparameter('serveraddress');
    }
  };
})(window.SP = window.SP || {});
