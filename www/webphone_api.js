/*
 * webphone_api.js: the Mizu WebPhone compatible JavaScript API of the Go
 * WebAssembly softphone engine.
 *
 * Include it in a page (<script src="webphone_api.js"></script>); it loads
 * webphone_config.js (unless the page already included it), wasm_exec.js and
 * webphone.wasm from the same folder, all at once (the wasm compiles while it
 * downloads), then fires onAppStateChange("loaded") and, when a server is
 * configured and autostart allows, "started". A page can start the wasm
 * download even before this file runs with
 *   <link rel="preload" href="webphone.wasm" as="fetch" type="application/wasm" crossorigin>
 * in its <head> (same URL as this file's folder + "webphone.wasm", with the
 * ?jscodeversion= query when the page uses one).
 *
 * Every function exists as soon as this file is parsed. Actions called before
 * the engine has loaded are queued and replayed once it has (for up to 10
 * minutes); getters answer their documented defaults until then. No function
 * throws.
 *
 * Every name the Mizu documentation lists exists (docs/api-status.md): one
 * this engine has not built yet answers its documented failure value (false,
 * "", -1 or null; also to its callback argument) and logs "not supported"
 * once.
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

  // logOnce logs a warning the first time key is seen: to the console and
  // as onEvent("log", "WARNING, ...").
  var logged = {};
  function logOnce(key, text) {
    if (logged[key]) return;
    logged[key] = true;
    log('warn', text);
    dispatch('onEvent', ['log', 'WARNING, ' + text]);
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

  // asString converts an argument the way Mizu does (toString; null and
  // undefined give ""); a value that cannot be converted gives "".
  function asString(v) {
    if (v === undefined || v === null) return '';
    try {
      return String(v);
    } catch (e) {
      return '';
    }
  }

  // asLine reads a line number argument: a finite number or numeric
  // string, else NaN.
  function asLine(v) {
    if (typeof v !== 'number' && typeof v !== 'string') return NaN;
    var n = Number(v);
    return isFinite(n) && String(v).trim() !== '' ? Math.trunc(n) : NaN;
  }

  // onLine selects line n first when an API_* function names one (>= 1).
  function onLine(line) {
    var n = asLine(line);
    if (n >= 1) api.setline(n);
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
    if (!engine) {
      try {
        return asString(api.parameters[param]);
      } catch (e) {
        return ''; // a name whose toString throws
      }
    }
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
  // transfer(number): REFER per transfertype; "" with two calls moves line A to line B.
  api.transfer = function (number) {
    return action('transfer').call(null, asString(number));
  };
  // conference(number, add): "" mixes the current calls, "1".."9" a line, else call and join; add false removes.
  api.conference = function (number, add) {
    return action('conference').call(null, asString(number), add === undefined || add === null ? true : add);
  };
  api.hold = action('hold');
  api.mute = action('mute');
  api.dtmf = action('dtmf');
  api.sendchat = function (number, msg, group) {
    return action('sendchat').call(null, asString(number), asString(msg), asString(group));
  };
  api.setline = action('setline');
  api.registerex = action('registerex');
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
  api.getlinedetails = getter('getlinedetails', '');
  api.isencrypted = getter('isencrypted', -1);
  api.nextcallid = getter('nextcallid', '');
  api.getcallerdisplayfull = withCallback('getcallerdisplayfull', 0, '');

  // Contacts and call history (per account, in localStorage): the lists
  // and getcontact answer a tab/CRLF-separated string, or null.
  api.listcallhistory = getter('listcallhistory', null);
  api.listcontacts = getter('listcontacts', null);
  api.getcontact = getter('getcontact', null);
  api.addcontact = action('addcontact');
  api.delcontact = action('delcontact');
  api.deletecontact = api.delcontact;
  api.delallcontacts = action('delallcontacts');
  // synccontacts(): download serveraddressbook_url now and merge it.
  api.synccontacts = action('synccontacts');
  api.GetIncomingDisplay = api.getcallerdisplayfull;

  api.linetocallid = withCallback('linetocallid', 1, '');
  api.callidtoline = withCallback('callidtoline', 1, -1);
  api.getsipheader = withCallback('getsipheader', 1, 'ERROR: not loaded');
  api.getsipmessage = withCallback('getsipmessage', 2, 'ERROR: not loaded');
  api.getlastrecinvite = withCallback('getlastrecinvite', 0, '');
  api.getlastsentinvite = withCallback('getlastsentinvite', 0, '');
  api.getregfailreason = withCallback('getregfailreason', 0, '');
  api.getlogsex = api.getlogs;

  // getlastinvite(callback): the last received INVITE, else the last sent
  // (each answers "" or "ERROR: ..." when there is none).
  api.getlastinvite = function (cb) {
    var r = api.getlastrecinvite();
    if (!r || String(r).indexOf('ERROR') === 0) r = api.getlastsentinvite();
    if (typeof cb === 'function') {
      try {
        cb(r);
      } catch (e) {
        log('error', 'getlastinvite callback failed: ' + e);
      }
    }
    return r;
  };

  // Video (mizu_api.md §3.3, §3.7): the <video> elements go into
  // <div id="video_container"> (or the element the videocontainer
  // parameter names).
  api.videocall = function (number) {
    return action('videocall').call(null, asString(number));
  };
  api.mutevideo = action('mutevideo');
  api.screenshare = function (number, screenid) {
    return action('screenshare').call(null, asString(number), asString(screenid));
  };
  api.stopscreenshare = action('stopscreenshare');
  api.setvideodisplaysize = action('setvideodisplaysize');

  api.getavailablecallfunc = function () {
    if (!engine || appState !== 'started') return 'ERROR, webphone is not yet started';
    return 'conference,transfer,numpad,mute,hold,chat';
  };
  api.caniusewebrtc = function () {
    return typeof global.RTCPeerConnection === 'function' && typeof global.WebSocket === 'function';
  };
  api.getcallto = function () {
    return api.getparameter('callto');
  };

  // ---- the applet-era API_* names (mizu_api.md §3.12) ----------------------------
  function setCredentials(server, username, password, authname, displayname) {
    var fields = { serveraddress: server, username: username, password: password, sipusername: authname,
      displayname: displayname };
    var ok = true;
    for (var k in fields) {
      var v = asString(fields[k]);
      if (v !== '') ok = api.setparameter(k, v) !== false && ok;
    }
    return ok;
  }
  api.API_SetCredentials = setCredentials;
  api.API_Register = function (server, username, password, authname, displayname) {
    setCredentials(server, username, password, authname, displayname);
    return api.register();
  };
  api.API_SetParameter = function (param, value) {
    return api.setparameter(param, value);
  };
  api.API_Start = function () {
    return api.start();
  };
  api.API_Unregister = function () {
    return api.unregister();
  };
  api.API_Call = function (line, number) {
    return api.call(number);
  };
  api.API_Hangup = function (line) {
    var n = asLine(line);
    return isNaN(n) ? api.hangup() : api.hangup(n);
  };
  api.API_Accept = function (line) {
    onLine(line);
    return api.accept();
  };
  api.API_Reject = function (line) {
    var n = asLine(line);
    return api.reject(isNaN(n) ? null : n, 2);
  };
  api.API_Forward = function (line, number) {
    onLine(line);
    return api.forward(number);
  };
  api.API_Transfer = function (line, number) {
    onLine(line);
    return api.transfer(number);
  };
  api.API_SetVolume = function (dev, volume) {
    return api.setvolume(dev, volume);
  };
  api.API_GetVolume = function (dev) {
    return api.getvolume(dev);
  };
  api.API_PlaySound = function (start, file, looping, async, islocal, toremotepeer, line, audiodevice, isring) {
    return api.playsound(start, file, looping, async, islocal, toremotepeer, line, audiodevice, isring);
  };
  api.API_Hold = function (line, state) {
    onLine(line);
    return api.hold(state);
  };
  api.API_Conf = function (number) {
    return api.conference(number);
  };
  api.API_MuteEx = function (line, state, direction) {
    onLine(line);
    return api.mute(state, direction);
  };
  api.API_IsMuted = function () {
    return api.ismuted();
  };
  api.API_IsOnHold = function () {
    return api.isonhold();
  };
  api.API_Dtmf = function (line, digits) {
    var n = asLine(line);
    return isNaN(n) ? api.dtmf(asString(digits)) : api.dtmf(n, asString(digits));
  };
  api.API_SendChat = function (line, number, msg) {
    return api.sendchat(number, msg);
  };
  api.API_SetLine = function (line) {
    return api.setline(line);
  };
  api.API_GetLine = function () {
    return api.getline();
  };

  // ---- names that are not built yet ------------------------------------------------
  // A function answers its failure value (and passes it to its callback
  // argument); a callback registrar keeps its listeners, which nothing fires
  // yet. Both log "not supported" once.
  function notBuilt(name, spec) {
    var text = name + ': not supported by this engine yet';
    if (spec.registrar) {
      var reg = registrar(name);
      return function (cb) {
        if (typeof cb === 'function') logOnce(name, text);
        reg(cb);
      };
    }
    return function () {
      logOnce(name, text);
      var cb = spec.cb >= 0 ? arguments[spec.cb] : null;
      if (typeof cb === 'function') {
        try {
          cb(spec.fail);
        } catch (e) {
          log('error', name + ' callback failed: ' + e);
        }
      }
      return spec.fail;
    };
  }

  // BEGIN NOT_BUILT (generated by `go generate ./apispec` from apispec/names.json; do not edit)
  var NOT_BUILT = {
    getworkdir: { fail: "", cb: 0 },
    getmac: { fail: "", cb: 0 },
    jvoip: { fail: false, cb: -1 },
    getrtcsocket: { fail: null, cb: -1 },
    getcallsession: { fail: null, cb: -1 },
    get_version: { fail: "", cb: -1 },
    get_version_webrtc: { fail: "", cb: -1 },
    get_version_sip: { fail: "", cb: -1 },
    get_version_flash: { fail: "", cb: -1 },
    get_version_java: { fail: "", cb: -1 },
    get_version_ns_num: { fail: 0, cb: 0 },
    get_version_ns: { fail: 0, cb: 0 },
    isserviceinstalled: { fail: false, cb: 0 },
    stopengine: { fail: false, cb: -1 },
    changetheme: { fail: false, cb: -1 },
    getstringresource: { fail: "", cb: -1 },
    browserwindowisactive: { fail: false, cb: -1 },
    GetDisplayableNotifications: { fail: "", cb: 0 },
    ShowToast: { fail: false, cb: -1 },
    AlertDialog: { fail: false, cb: -1 },
    unregisterEngine: { fail: false, cb: -1 },
    HTTPKeepAlive: { fail: false, cb: -1 },
    dialpage: { fail: false, cb: -1 },
    settingspage: { fail: false, cb: -1 },
    messagepage: { fail: false, cb: -1 },
    messageinboxpage: { fail: false, cb: -1 },
    addcontactpage: { fail: false, cb: -1 },
    helpwindow: { fail: false, cb: -1 },
    importcontacts: { fail: false, cb: -1 },
    onappexit: { fail: false, cb: -1 },
    loadscript: { fail: false, cb: -1 },
    API_SetCredentialsMD5: { fail: false, cb: -1 },
    API_CheckVoicemail: { fail: false, cb: -1 }
  };
  // END NOT_BUILT
  Object.keys(NOT_BUILT).forEach(function (name) {
    api[name] = notBuilt(name, NOT_BUILT[name]);
  });

  // ---- presence, busy lamps, SMS (branch presence) ----------------------------------
  // checkpresence/onPresenceStateChange, setpresencestatus, checkblf/onBLFStateChange
  // (also spelled onBlfStateChange and onBLFStateChage in the documentation) and
  // sendsms/onSMS, sendchatiscomposing. The results arrive as events (PRESENCE, BLF, CHATREPORT,
  // CHATCOMPOSING, MWI).
  api.onPresenceStateChange = registrar('onPresenceStateChange');
  api.onBLFStateChange = registrar('onBLFStateChange');
  api.onSMS = registrar('onSMS');
  api.onBlfStateChange = api.onBLFStateChange;
  api.onBLFStateChage = api.onBLFStateChange;
  // checkpresence(userlist, callback): "" when refused, else the v4.2 summary "user,state;user,state" of the
  // states known now (Unknown before the first report); callback(user, state) gets each entry.
  api.checkpresence = function (userlist, callback) {
    var r = action('checkpresence').call(null, asString(userlist));
    if (typeof callback === 'function' && typeof r === 'string') {
      setTimeout(function () {
        r.split(';').forEach(function (entry) {
          var i = entry.lastIndexOf(',');
          try {
            callback(entry.substring(0, i), entry.substring(i + 1));
          } catch (e) {
            log('error', 'checkpresence callback failed: ' + e);
          }
        });
      }, 0);
    }
    return r;
  };
  api.setpresencestatus = function (status) {
    return action('setpresencestatus').call(null, asString(status));
  };
  api.checkblf = function (userlist) {
    return action('checkblf').call(null, asString(userlist));
  };
  api.sendsms = function (number, msg, from) {
    return action('sendsms').call(null, asString(number), asString(msg), asString(from));
  };
  // sendchatiscomposing(number, composing): true (default) typing, false idle (RFC 3994).
  api.sendchatiscomposing = function (number, composing) {
    return action('sendchatiscomposing').call(null, asString(number), composing === undefined ? true : composing);
  };
  // ---- end of presence, busy lamps, SMS ----------------------------------------------

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

  // loadConfig loads webphone_config.js (unless the page included it) and
  // keeps what the page wrote into api.parameters before the config ran.
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

  // compileEngine fetches and compiles webphone.wasm while it downloads
  // (the page may have started the download already with
  // <link rel="preload" href="webphone.wasm" as="fetch" crossorigin>, which
  // this fetch then reuses).
  function compileEngine() {
    var wasmURL = url('webphone.wasm');
    if (!global.fetch) return Promise.reject(new Error('this browser has no fetch'));
    if (WebAssembly.compileStreaming) {
      return WebAssembly.compileStreaming(fetch(wasmURL, { credentials: 'same-origin' })).catch(function (e) {
        // Wrong Content-Type (not application/wasm) and the like: do it in two steps.
        log('info', 'compileStreaming failed (' + e + '); retrying with an ArrayBuffer');
        return compileBuffer(wasmURL);
      });
    }
    return compileBuffer(wasmURL);
  }

  function compileBuffer(wasmURL) {
    return fetch(wasmURL, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(wasmURL + ': HTTP ' + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      return WebAssembly.compile(buf);
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
    mark('ready');
    engine = global.__webphone_go;
    callEngine('init', [api.parameters], false); // fires "loaded", maybe "started"
    replayQueue();
  };

  // mark notes a loading step in the page's performance timeline
  // (performance.getEntriesByType('mark'): webphone:compiled, :go-start,
  // :ready), for profiling the start-up.
  function mark(name) {
    try {
      if (global.performance && performance.mark) performance.mark('webphone:' + name);
    } catch (e) { /* no timeline */ }
  }

  function fail(e) {
    var text = 'cannot load the webphone engine: ' + (e && e.message ? e.message : e);
    log('error', text);
    dispatch('onEvent', ['log', 'ERROR, ' + text]);
    dispatch('onEvent', ['display', ',' + text]);
  }

  // boot fetches and compiles the engine at once, in parallel with
  // webphone_config.js and wasm_exec.js (inserted together: they download in
  // parallel and run in order), then starts Go.
  function boot() {
    var compiled = compileEngine().then(function (module) {
      mark('compiled');
      return module;
    });
    compiled.catch(function () { /* reported below */ });
    var config = loadConfig();
    var runtime = typeof global.Go === 'function' ? Promise.resolve() : loadScript(url('wasm_exec.js'));
    Promise.all([config, runtime, compiled]).then(function (done) {
      var go = new global.Go();
      return WebAssembly.instantiate(done[2], go.importObject).then(function (instance) {
        mark('go-start');
        go.run(instance).then(function () {
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

  // ==== audio: tones, devices, volume (built in jsbridge; keep this block together) ====
  // The folder of this file: the engine finds the shipped sounds (sounds/ringtone.wav) there.
  global.__webphone_base = baseURL;

  // getdevicelist(dev, callback): dev 0 microphones, 1 speakers, 2 ringers, 3 cameras. Returns the
  // names known now (CRLF separated); the callback gets them after the list was read again.
  api.getdevicelist = function (dev, callback) {
    var now = engine ? asString(callEngine('getdevicelist', [dev], '')) : '';
    if (typeof callback === 'function') {
      var answer = function () {
        var list = engine ? asString(callEngine('getdevicelist', [dev], '')) : '';
        try {
          callback(list);
        } catch (e) {
          log('error', 'getdevicelist callback failed: ' + e);
        }
      };
      if (!engine) {
        // answered once the engine runs, like the other callback getters
        queue.push({ name: 'getdevicelist', args: [dev], at: Date.now(), cb: callback, cbDef: '' });
      } else if (callEngine('refreshdevices', [answer], false) !== true) {
        answer();
      }
    }
    return now;
  };
  api.getaudiodevicelist = api.getdevicelist;
  api.getdevice = withCallback('getdevice', 1, '');
  api.getaudiodevice = api.getdevice;
  api.setdevice = action('setdevice');
  api.setaudiodevice = api.setdevice;
  api.getvolume = withCallback('getvolume', 1, 50);
  api.setvolume = action('setvolume');
  api.setloudspeaker = action('setloudspeaker');
  // voicerecord(start, url): record calls in the page, upload each to url at its end (VREC notifications).
  api.voicerecord = action('voicerecord');
  // play(start, file, looping, toremotepeer): 1 play, 0 stop, -1 load; toremotepeer plays into the call.
  api.play = action('play');
  // playsound(start, file, looping, async, islocal, toremotepeer, line, audiodevice, isring): the old name of play.
  api.playsound = function (start, file, looping, async, islocal, toremotepeer) {
    return api.play(start, file, looping, toremotepeer);
  };
  // devicepopup(): a small built-in dialog to choose the microphone, speaker and ringer. Alias audiodevice().
  api.devicepopup = function () {
    try {
      return showDevicePopup();
    } catch (e) {
      log('error', 'devicepopup failed: ' + e);
      return false;
    }
  };
  function showDevicePopup() {
    if (!engine || !document.body) return false;
    var old = document.getElementById('webphone-devicepopup');
    if (old) old.parentNode.removeChild(old);
    var box = document.createElement('div');
    box.id = 'webphone-devicepopup';
    box.setAttribute('role', 'dialog');
    box.setAttribute('style', 'position:fixed;z-index:2147483647;top:20%;left:50%;transform:translateX(-50%);' +
      'background:#fff;color:#000;border:1px solid #888;border-radius:6px;padding:12px;font:14px sans-serif;' +
      'box-shadow:0 4px 16px rgba(0,0,0,.3)');
    var kinds = [[0, 'Microphone'], [1, 'Speaker'], [2, 'Ringer']];
    var selects = {};
    kinds.forEach(function (k) {
      var row = document.createElement('label');
      row.setAttribute('style', 'display:block;margin:4px 0');
      row.appendChild(document.createTextNode(k[1] + ' '));
      var sel = document.createElement('select');
      sel.setAttribute('data-dev', String(k[0]));
      selects[k[0]] = sel;
      row.appendChild(sel);
      box.appendChild(row);
      api.getdevicelist(k[0], function (list) {
        var current = asString(callEngine('getdevice', [k[0]], ''));
        sel.textContent = '';
        (list ? list.split('\r\n') : []).forEach(function (name) {
          var o = document.createElement('option');
          o.value = name;
          o.textContent = name;
          if (name === current) o.selected = true;
          sel.appendChild(o);
        });
      });
    });
    function button(text, onclick) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('style', 'margin:8px 8px 0 0');
      b.onclick = onclick;
      box.appendChild(b);
    }
    function close() {
      if (box.parentNode) box.parentNode.removeChild(box);
    }
    button('OK', function () {
      kinds.forEach(function (k) {
        var sel = selects[k[0]];
        if (sel.value && sel.value !== asString(callEngine('getdevice', [k[0]], ''))) {
          callEngine('setdevice', [k[0], sel.value], false);
        }
      });
      close();
    });
    button('Cancel', close);
    document.body.appendChild(box);
    return true;
  }
  api.audiodevice = api.devicepopup;
  // ==== end of the audio block ====

  if (!api.__booted) {
    api.__booted = true;
    boot();
  }
})(typeof globalThis !== 'undefined' ? globalThis : window);
