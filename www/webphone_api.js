/*
 * webphone_api.js: the Mizu WebPhone compatible JavaScript API of the Go
 * WebAssembly softphone engine.
 *
 * Include it in a page (<script src="webphone_api.js"></script>); it loads
 * webphone_config.js (unless the page already included it), wasm_exec.js and
 * webphone.wasm from the same folder, then fires
 * onAppStateChange("loaded") and, when a server is configured and autostart
 * allows, "started".
 *
 * Every function exists as soon as this file is parsed. Actions called before
 * the engine has loaded are queued and replayed once it has (for up to 10
 * minutes); getters answer their documented defaults until then. No function
 * throws.
 */
(function (global) {
  'use strict';

  var api = global.webphone_api;
  if (!api || typeof api !== 'object') {
    api = {};
  }
  global.webphone_api = api;
  if (!api.parameters || typeof api.parameters !== 'object') {
    api.parameters = {};
  }

  var QUEUE_MAX_AGE_MS = 10 * 60 * 1000;

  // ---- where the other files are -------------------------------------------
  var scriptEl = document.currentScript;
  var scriptSrc = (scriptEl && scriptEl.src) || '';
  var baseURL = scriptSrc ? scriptSrc.replace(/[?#].*$/, '').replace(/[^/]*$/, '') : '';
  var versionQuery = (scriptSrc.match(/[?&]jscodeversion=[^&#]*/) || [''])[0].replace(/^&/, '?');

  function url(file) {
    return baseURL + file + versionQuery;
  }

  function log(level, text) {
    try {
      (console[level] || console.log).call(console, 'webphone: ' + text);
    } catch (e) { /* no console */ }
  }

  // ---- callbacks --------------------------------------------------------------
  var CALLBACKS = ['onAppStateChange', 'onRegStateChange', 'onCallStateChange', 'onChat', 'onDTMF', 'onCdr', 'onEvent'];
  // Deprecated registrars (mizu_api.md section 4.12) and what feeds them.
  var DEPRECATED = ['onLoaded', 'onStart', 'onStop', 'onRegistered', 'onUnRegistered', 'onRegisterFailed',
    'onEvents', 'onDisplay', 'onLog'];
  var listeners = {};

  function registrar(name) {
    listeners[name] = [];
    return function (cb) {
      if (cb === null) {
        listeners[name] = [];
      } else if (typeof cb === 'function') {
        listeners[name].push(cb);
      }
    };
  }
  CALLBACKS.concat(DEPRECATED).forEach(function (name) {
    api[name] = registrar(name);
  });
  api.getEvents = api.onEvents;
  api.ondisplay = api.onDisplay;

  function fire(name, args) {
    var list = (listeners[name] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try {
        list[i].apply(api, args);
      } catch (e) {
        log('error', name + ' listener failed: ' + (e && e.stack ? e.stack : e));
      }
    }
  }

  var appState = '';

  function deliver(name, args) {
    if (name === 'onAppStateChange') {
      if (args[0] === appState) {
        return; // already reported
      }
      appState = args[0];
    }
    fire(name, args);
    switch (name) {
      case 'onAppStateChange':
        fire({ loaded: 'onLoaded', started: 'onStart', stopped: 'onStop' }[args[0]], []);
        if (args[0] === 'loaded' && engine) {
          // The page has set its parameters in "loaded": start now unless
          // autostart=0 (or no server is configured).
          callEngine('autostart', [], false);
        }
        break;
      case 'onRegStateChange':
        if (args[0] === 'registered') fire('onRegistered', []);
        else if (args[0] === 'unregistered') fire('onUnRegistered', []);
        else if (args[0] === 'failed') fire('onRegisterFailed', [args[1]]);
        break;
      case 'onEvent':
        if (args[0] === 'event') {
          fire('onEvents', [args[1]]);
        } else if (args[0] === 'log') {
          fire('onLog', [args[1]]);
        } else if (args[0] === 'display') {
          var msg = String(args[1] || '');
          var comma = msg.indexOf(',');
          fire('onDisplay', comma < 0 ? [msg, ''] : [msg.substring(comma + 1), msg.substring(0, comma)]);
        }
        break;
    }
  }

  // Events from Go are queued and delivered after Go's call has returned, in
  // order: a listener may call back into the API and may take its time.
  var pending = [];
  var flushScheduled = false;

  function flush() {
    flushScheduled = false;
    while (pending.length) {
      var ev = pending.shift();
      deliver(ev[0], ev[1]);
    }
  }

  function dispatch(name, args) {
    pending.push([String(name), Array.prototype.slice.call(args || [])]);
    if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 0);
    }
  }
  // The engine's event hook (jsbridge.DispatcherName).
  global.__webphone_dispatch = dispatch;

  // ---- calling the engine ----------------------------------------------------------
  var engine = null; // globalThis.__webphone_go once the wasm has started
  var queue = []; // actions called before that

  function callEngine(name, args, def) {
    try {
      var r = engine[name].apply(null, args);
      return r === undefined || r === null ? def : r;
    } catch (e) {
      log('error', name + ' failed: ' + e);
      return def;
    }
  }

  // action: queued before load, returns true then (the call was accepted).
  function action(name, goName) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      if (!engine) {
        queue.push({ name: goName || name, args: args, at: Date.now() });
        return true;
      }
      return callEngine(goName || name, args, false);
    };
  }

  // getter: answers def before load.
  function getter(name, def, goName) {
    return function () {
      if (!engine) return def;
      return callEngine(goName || name, Array.prototype.slice.call(arguments), def);
    };
  }

  // withCallback: getters that also hand their answer to a callback argument
  // at position cbIndex. Before load, the callback gets the answer later.
  function withCallback(name, cbIndex, def) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      var cb = typeof args[cbIndex] === 'function' ? args[cbIndex] : null;
      if (!engine) {
        if (cb) queue.push({ name: name, args: args, at: Date.now(), cb: cb, cbDef: def });
        return def;
      }
      var r = callEngine(name, args, def);
      if (cb) {
        try {
          cb(r);
        } catch (e) {
          log('error', name + ' callback failed: ' + e);
        }
      }
      return r;
    };
  }

  function asString(v) {
    return v === undefined || v === null ? '' : String(v);
  }

  // ---- the API ---------------------------------------------------------------------
  api.setparameter = function (param, value, allowempty) {
    if (param === undefined || param === null || arguments.length < 2) return false;
    if (!engine) {
      queue.push({ name: 'setparameter', args: [param, value, allowempty], at: Date.now() });
      return true;
    }
    return callEngine('setparameter', [param, value, allowempty], false);
  };
  api.setParameter = api.setparameter;
  api.getparameter = function (param) {
    if (!engine) return asString(api.parameters[param]);
    return asString(callEngine('getparameter', [param], ''));
  };

  api.start = action('start');
  api.stop = action('stop');
  api.register = action('register');
  api.reregister = api.register;
  api.unregister = action('unregister');
  api.delsettings = action('delsettings');

  api.call = function (number) {
    return action('call').call(null, asString(number));
  };
  api.hangup = action('hangup');
  api.accept = action('accept');
  api.reject = action('reject');
  api.ignore = action('ignore');
  api.forward = function (number) {
    return action('forward').call(null, asString(number));
  };
  api.hold = action('hold');
  api.mute = action('mute');
  api.dtmf = action('dtmf');
  api.sendchat = function (number, msg, group) {
    return action('sendchat').call(null, asString(number), asString(msg), asString(group));
  };
  api.setline = action('setline');
  api.setsipheader = action('setsipheader');

  api.getline = getter('getline', -1);
  api.isregistered = getter('isregistered', false);
  api.isincall = getter('isincall', false);
  api.ismuted = getter('ismuted', false);
  api.isonhold = getter('isonhold', false);
  api.getlogs = getter('getlogs', '');
  api.getenginename = getter('getenginename', '');
  api.getStatus = getter('getStatus', 'STATUS,-1,Initializing', 'getstatus');
  api.getlastcalldetails = getter('getlastcalldetails', '');
  api.getrtcpeerconnection = getter('getrtcpeerconnection', null);

  api.linetocallid = withCallback('linetocallid', 1, '');
  api.callidtoline = withCallback('callidtoline', 1, -1);
  api.getsipheader = withCallback('getsipheader', 1, 'ERROR: not loaded');
  api.getsipmessage = withCallback('getsipmessage', 2, 'ERROR: not loaded');
  api.getlastrecinvite = withCallback('getlastrecinvite', 0, '');
  api.getlastsentinvite = withCallback('getlastsentinvite', 0, '');
  api.getregfailreason = withCallback('getregfailreason', 0, '');

  // ---- loading ------------------------------------------------------------------------
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.async = false;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error('cannot load ' + src)); };
      (document.head || document.documentElement).appendChild(s);
    });
  }

  function configIncluded() {
    var scripts = document.getElementsByTagName('script');
    for (var i = 0; i < scripts.length; i++) {
      if (/(^|\/)webphone_config\.js(\?|#|$)/.test(scripts[i].getAttribute('src') || '')) return true;
    }
    return false;
  }

  function loadConfig() {
    if (configIncluded()) return Promise.resolve();
    var written = api.parameters; // what the page wrote before the config loaded
    return loadScript(url('webphone_config.js')).then(function () {
      if (api.parameters !== written) {
        var merged = {};
        var k;
        for (k in api.parameters) merged[k] = api.parameters[k];
        for (k in written) merged[k] = written[k];
        api.parameters = merged;
      }
    }, function () {
      log('info', 'no webphone_config.js; using webphone_api.parameters only');
    });
  }

  function instantiate(go) {
    var wasmURL = url('webphone.wasm');
    if (WebAssembly.instantiateStreaming) {
      return WebAssembly.instantiateStreaming(fetch(wasmURL), go.importObject).catch(function (e) {
        // Wrong Content-Type (not application/wasm) and the like: do it in two steps.
        log('info', 'instantiateStreaming failed (' + e + '); retrying with an ArrayBuffer');
        return instantiateBuffer(wasmURL, go);
      });
    }
    return instantiateBuffer(wasmURL, go);
  }

  function instantiateBuffer(wasmURL, go) {
    return fetch(wasmURL).then(function (r) {
      if (!r.ok) throw new Error(wasmURL + ': HTTP ' + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      return WebAssembly.instantiate(buf, go.importObject);
    });
  }

  function replayQueue() {
    var now = Date.now();
    var q = queue;
    queue = [];
    q.forEach(function (item) {
      if (now - item.at > QUEUE_MAX_AGE_MS) return;
      var r = callEngine(item.name, item.args, item.cbDef);
      if (item.cb) {
        try {
          item.cb(r);
        } catch (e) {
          log('error', item.name + ' callback failed: ' + e);
        }
      }
    });
  }

  // Called by the wasm once __webphone_go exists (jsbridge.ReadyHookName).
  global.__webphone_go_ready = function () {
    engine = global.__webphone_go;
    callEngine('init', [api.parameters], false); // fires "loaded", maybe "started"
    replayQueue();
  };

  function fail(e) {
    var text = 'cannot load the webphone engine: ' + (e && e.message ? e.message : e);
    log('error', text);
    dispatch('onEvent', ['log', 'ERROR, ' + text]);
    dispatch('onEvent', ['display', ',' + text]);
  }

  function boot() {
    loadConfig().then(function () {
      return typeof global.Go === 'function' ? null : loadScript(url('wasm_exec.js'));
    }).then(function () {
      var go = new global.Go();
      return instantiate(go).then(function (result) {
        go.run(result.instance).then(function () {
          engine = null;
          log('error', 'the webphone engine exited');
        }, fail);
      });
    }).catch(fail);
  }

  // Browser close or refresh: stop (hang up, unregister; best effort, the
  // page may be gone before the messages leave) unless needunregister is
  // false, and report "stopped" now, while listeners can still run.
  global.addEventListener('pagehide', function () {
    if (!engine) return;
    var nu = String(callEngine('getparameter', ['needunregister'], '')).toLowerCase();
    if (nu !== 'false' && nu !== '0') callEngine('stop', [], false);
    flush();
    if (appState === 'started') deliver('onAppStateChange', ['stopped']);
  });

  // Autoplay: a browser may refuse to start remote audio before the user has
  // interacted with the page; retry every paused call audio element on the
  // first interactions.
  function resumeAudio() {
    var els = document.querySelectorAll('audio[data-webphone-line]');
    for (var i = 0; i < els.length; i++) {
      if (els[i].paused && els[i].srcObject) {
        var p = els[i].play();
        if (p && p.catch) p.catch(function () { /* still not allowed */ });
      }
    }
  }
  ['pointerdown', 'keydown', 'touchstart'].forEach(function (ev) {
    document.addEventListener(ev, resumeAudio, true);
  });

  if (!api.__booted) {
    api.__booted = true;
    boot();
  }
})(typeof globalThis !== 'undefined' ? globalThis : window);
