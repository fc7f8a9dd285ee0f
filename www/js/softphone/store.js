/*
 * store.js: what the skin itself keeps between visits (the chat threads),
 * in localStorage under the profile (or the page path, as the engine does)
 * and the user name, so two profiles or two users never share it.
 * Contacts and call history belong to the engine (listcontacts,
 * listcallhistory).
 */
(function (SP) {
  'use strict';
  var prefix = '';
  var mem = {};

  SP.store = {
    // open chooses the store of user under profile.
    open: function (profile, user) {
      var scope = profile ? 'profile:' + profile : location.pathname;
      prefix = 'softphone:' + scope + ':' + user + ':';
    },
    get: function (key, def) {
      var raw = null;
      try {
        raw = window.localStorage.getItem(prefix + key);
      } catch (e) {
        raw = Object.prototype.hasOwnProperty.call(mem, prefix + key) ? mem[prefix + key] : null;
      }
      if (raw === null) return def;
      try {
        return JSON.parse(raw);
      } catch (e) {
        return def;
      }
    },
    set: function (key, value) {
      var raw = JSON.stringify(value);
      try {
        window.localStorage.setItem(prefix + key, raw);
      } catch (e) {
        mem[prefix + key] = raw; // storage denied or full: keep it for this visit
      }
    }
  };
})(window.SP = window.SP || {});
