/*
 * webphone_config.js: static configuration of the webphone, read by
 * webphone_api.js before the engine starts (Mizu WebPhone format).
 *
 * Values set here override values the user saved earlier, except keys written
 * with the ucfg_ prefix (e.g. ucfg_codec), which apply only when nothing was
 * saved. Removing a line does NOT remove a value already saved in the browser:
 * set it to 'NULL' (clear) or 'DEF' (default) instead.
 * Any parameter can also be passed in the page URL with a wp_ prefix
 * (softphone.html?wp_username=1001) or set at runtime with
 * webphone_api.setparameter(name, value).
 */
webphone_api.parameters = {
  // --- account --------------------------------------------------------------
  // serveraddress: 'sip.example.com',        // SIP domain (and realm), host[:port]
  // webrtcserveraddress: 'wss://sip.example.com/ws', // SIP over WebSocket URL; a comma-separated list fails over
  // username: '',                            // SIP user / caller ID
  // sipusername: '',                         // authentication user, when it differs from username
  // password: '',
  // displayname: '',
  // proxyaddress: '',                        // outbound proxy (loose Route)
  // register: 1,                             // 0 never REGISTER, 1 auto, 2 must be registered before calls
  // registerinterval: 300,                   // seconds
  // autostart: 1,                            // 0: wait for start()

  // --- media ----------------------------------------------------------------
  // stunserveraddress: 'NULL',               // STUN host:port; 'NULL' disables
  // turnserveraddress: 'NULL',               // TURN host:port; 'NULL' disables
  // turnusername: '', turnpassword: '', turnparameters: '', // e.g. turnparameters: 'transport=tcp'
  // ice: '',                                 // [{url:'stun:...'},{url:'turn:...',username:'u',credential:'p'}] replaces the above
  // icetimeout: 2000,                        // ms to wait for ICE candidates at most
  // codec: '',                               // allowed audio codecs, e.g. 'PCMU,PCMA,opus' (empty: all)
  // prefcodec: '',                           // preferred audio codec
  // useaudiorecord: 1,                       // -1 no microphone, 0 silently without, 1 warn, 2 fail the call
  // dtmfmode: 2,                             // 1 SIP INFO, 2 auto, 3 INFO + RFC 4733, 4 RFC 4733
  // holdtype: -1,                            // -1 auto (sendonly), 0 no hold, 2 sendonly, 4 inactive
  // defmute: 2,                              // mute() default direction: 0 both, 1 speaker, 2 microphone

  // --- calls ----------------------------------------------------------------
  // callto: '',                              // number to call or chat at start (with autoaction)
  // autoaction: 0,                           // 0 nothing, 1 call callto, 2 chat
  // autoaccept: false,
  // ringtimeout: 90000,                      // ms
  // customsipheader: '',                     // 'X-A: 1; X-B: 2' added to every request

  // --- storage and diagnostics ------------------------------------------------
  // profile: '',                             // separate saved settings per profile name
  // needunregister: true,                    // unregister when the page closes
  // loglevel: 1                              // 1..5
};
