/*
 * strings.js: the words of the softphone skin in each bundled language
 * (the language parameter: "en", "de", "es", "fr", "hu", "it"; "en-US" uses
 * "en"). SP.t(key) answers the word in the chosen language, else English,
 * else the key itself.
 */
(function (SP) {
  'use strict';
  var en = {
    loading: 'Loading…', signin: 'Sign in', signingin: 'Signing in…', server: 'Server',
    serveraddress: 'SIP domain', webrtcserveraddress: 'WebSocket URL', username: 'User name',
    password: 'Password', displayname: 'Your name', more: 'More settings',
    online: 'Online', offline: 'Offline', connecting: 'Connecting…', logout: 'Sign out',
    tab_dial: 'Dial', tab_contacts: 'Contacts', tab_history: 'History', tab_chat: 'Chat', tab_settings: 'Settings',
    number: 'Number or name', call: 'Call', videocall: 'Video call', backspace: 'Delete last digit',
    calling: 'Calling…', ringing: 'Ringing…', incoming: 'Incoming call', connected: 'Connected',
    onhold: 'On hold', inconference: 'In conference', muted: 'Muted', ended: 'Call ended', answer: 'Answer', reject: 'Decline',
    hangup: 'Hang up', hold: 'Hold', resume: 'Resume', mute: 'Mute', unmute: 'Unmute',
    transfer: 'Transfer', conference: 'Conference', keypad: 'Keypad', screen: 'Share screen',
    stopscreen: 'Stop sharing', transferto: 'Transfer to', addtoconf: 'Add to the conference', go: 'OK',
    cancel: 'Cancel', lines: 'Calls', newcall: 'New call',
    busy: 'Busy', declined: 'Declined', notfound: 'Number not found', unreachable: 'Unreachable',
    noanswer: 'No answer', wrongpassword: 'Wrong user name or password', cancelled: 'Cancelled',
    missedcall: 'Missed call', noresponse: 'The server does not answer', forbidden: 'Not allowed',
    media: 'Audio could not start', servererror: 'Server error', transferred: 'Transferred', failed: 'Failed',
    contacts_empty: 'No contacts yet.', addcontact: 'Add contact', name: 'Name', delete: 'Delete',
    chatwith: 'Chat', history_empty: 'No calls yet.', outgoing: 'Outgoing', incomingcall: 'Incoming',
    missed: 'Missed', chat_empty: 'No conversations yet.', newchat: 'New chat with', send: 'Send',
    message: 'Message', back: 'Back', unread: 'unread',
    devices: 'Devices', microphone: 'Microphone', speaker: 'Speaker', ringer: 'Ringer', volumes: 'Volumes',
    appearance: 'Appearance', theme: 'Theme', language: 'Language', account: 'Account',
    p_available: 'Available', p_away: 'Away', p_busy: 'Busy', p_offline: 'Offline', p_unknown: 'Unknown',
    p_dnd: 'Do not disturb', p_speaking: 'On the phone', p_notexists: 'No such user', p_ringing: 'Ringing',
    p_incall: 'In a call'
  };
  var de = {
    loading: 'Lädt…', signin: 'Anmelden', signingin: 'Anmeldung…', server: 'Server',
    serveraddress: 'SIP-Domain', webrtcserveraddress: 'WebSocket-URL', username: 'Benutzername',
    password: 'Passwort', displayname: 'Ihr Name', more: 'Weitere Einstellungen',
    online: 'Online', offline: 'Offline', connecting: 'Verbinde…', logout: 'Abmelden',
    tab_dial: 'Wählen', tab_contacts: 'Kontakte', tab_history: 'Verlauf', tab_chat: 'Chat', tab_settings: 'Einstellungen',
    number: 'Nummer oder Name', call: 'Anrufen', videocall: 'Videoanruf', backspace: 'Letzte Ziffer löschen',
    calling: 'Wählt…', ringing: 'Klingelt…', incoming: 'Eingehender Anruf', connected: 'Verbunden',
    onhold: 'Gehalten', inconference: 'In Konferenz', muted: 'Stumm', ended: 'Anruf beendet', answer: 'Annehmen', reject: 'Ablehnen',
    hangup: 'Auflegen', hold: 'Halten', resume: 'Fortsetzen', mute: 'Stumm', unmute: 'Laut',
    transfer: 'Weiterleiten', conference: 'Konferenz', keypad: 'Tastatur', screen: 'Bildschirm teilen',
    stopscreen: 'Teilen beenden', transferto: 'Weiterleiten an', addtoconf: 'Zur Konferenz hinzufügen', go: 'OK',
    cancel: 'Abbrechen', lines: 'Anrufe', newcall: 'Neuer Anruf',
    busy: 'Besetzt', declined: 'Abgelehnt', notfound: 'Nummer nicht gefunden', unreachable: 'Nicht erreichbar',
    noanswer: 'Keine Antwort', wrongpassword: 'Falscher Benutzername oder falsches Passwort', cancelled: 'Abgebrochen',
    missedcall: 'Verpasster Anruf', noresponse: 'Der Server antwortet nicht', forbidden: 'Nicht erlaubt',
    media: 'Audio konnte nicht starten', servererror: 'Serverfehler', transferred: 'Weitergeleitet', failed: 'Fehlgeschlagen',
    contacts_empty: 'Noch keine Kontakte.', addcontact: 'Kontakt hinzufügen', name: 'Name', delete: 'Löschen',
    chatwith: 'Chat', history_empty: 'Noch keine Anrufe.', outgoing: 'Ausgehend', incomingcall: 'Eingehend',
    missed: 'Verpasst', chat_empty: 'Noch keine Unterhaltungen.', newchat: 'Neuer Chat mit', send: 'Senden',
    message: 'Nachricht', back: 'Zurück', unread: 'ungelesen',
    devices: 'Geräte', microphone: 'Mikrofon', speaker: 'Lautsprecher', ringer: 'Klingelton', volumes: 'Lautstärke',
    appearance: 'Aussehen', theme: 'Farbschema', language: 'Sprache', account: 'Konto',
    p_available: 'Verfügbar', p_away: 'Abwesend', p_busy: 'Beschäftigt', p_offline: 'Offline', p_unknown: 'Unbekannt',
    p_dnd: 'Nicht stören', p_speaking: 'Telefoniert', p_notexists: 'Unbekannter Teilnehmer', p_ringing: 'Klingelt',
    p_incall: 'Im Gespräch'
  };
  var es = {
    loading: 'Cargando…', signin: 'Entrar', signingin: 'Entrando…', username: 'Usuario', password: 'Contraseña',
    online: 'En línea', offline: 'Desconectado', connecting: 'Conectando…', logout: 'Salir',
    tab_dial: 'Marcar', tab_contacts: 'Contactos', tab_history: 'Historial', tab_chat: 'Chat', tab_settings: 'Ajustes',
    number: 'Número o nombre', call: 'Llamar', calling: 'Llamando…', ringing: 'Sonando…', incoming: 'Llamada entrante',
    connected: 'Conectado', onhold: 'En espera', ended: 'Llamada terminada', answer: 'Contestar', reject: 'Rechazar',
    hangup: 'Colgar', hold: 'Espera', resume: 'Reanudar', mute: 'Silenciar', unmute: 'Activar sonido',
    transfer: 'Transferir', conference: 'Conferencia', keypad: 'Teclado', busy: 'Ocupado', declined: 'Rechazada',
    notfound: 'Número no encontrado', unreachable: 'No disponible', wrongpassword: 'Usuario o contraseña incorrectos',
    send: 'Enviar', back: 'Volver', language: 'Idioma', theme: 'Tema'
  };
  var fr = {
    loading: 'Chargement…', signin: 'Se connecter', signingin: 'Connexion…', username: 'Identifiant',
    password: 'Mot de passe', online: 'En ligne', offline: 'Hors ligne', connecting: 'Connexion…', logout: 'Déconnexion',
    tab_dial: 'Clavier', tab_contacts: 'Contacts', tab_history: 'Historique', tab_chat: 'Messages', tab_settings: 'Réglages',
    number: 'Numéro ou nom', call: 'Appeler', calling: 'Appel…', ringing: 'Sonnerie…', incoming: 'Appel entrant',
    connected: 'En communication', onhold: 'En attente', ended: 'Appel terminé', answer: 'Répondre', reject: 'Refuser',
    hangup: 'Raccrocher', hold: 'Attente', resume: 'Reprendre', mute: 'Muet', unmute: 'Micro',
    transfer: 'Transférer', conference: 'Conférence', keypad: 'Clavier', busy: 'Occupé', declined: 'Refusé',
    notfound: 'Numéro introuvable', unreachable: 'Injoignable', wrongpassword: 'Identifiant ou mot de passe incorrect',
    send: 'Envoyer', back: 'Retour', language: 'Langue', theme: 'Thème'
  };
  var hu = {
    signin: 'Belépés', username: 'Felhasználónév', password: 'Jelszó', online: 'Elérhető', call: 'Hívás',
    hangup: 'Bontás', answer: 'Fogadás', reject: 'Elutasítás', busy: 'Foglalt', tab_contacts: 'Névjegyek',
    tab_history: 'Hívásnapló', tab_settings: 'Beállítások', language: 'Nyelv'
  };
  var it = {
    signin: 'Accedi', username: 'Nome utente', password: 'Password', online: 'In linea', call: 'Chiama',
    hangup: 'Riaggancia', answer: 'Rispondi', reject: 'Rifiuta', busy: 'Occupato', tab_contacts: 'Contatti',
    tab_history: 'Cronologia', tab_settings: 'Impostazioni', language: 'Lingua'
  };
  SP.languages = { en: en, de: de, es: es, fr: fr, hu: hu, it: it };
  SP.languageNames = { en: 'English', de: 'Deutsch', es: 'Español', fr: 'Français', hu: 'Magyar', it: 'Italiano' };
  SP.lang = 'en';

  // pickLanguage chooses the language from the language parameter, else
  // the browser's (unless languageautodetect is 0).
  SP.pickLanguage = function (param, autodetect) {
    var want = String(param || '');
    if (!want && autodetect !== '0') want = (navigator.language || 'en');
    var code = want.toLowerCase().split(/[-_]/)[0];
    SP.lang = SP.languages[code] ? code : 'en';
    return SP.lang;
  };

  SP.t = function (key) {
    var l = SP.languages[SP.lang];
    return (l && l[key]) || en[key] || key;
  };

  // translate fills every element with data-t (text), data-t-title,
  // data-t-label (aria-label) and data-t-ph (placeholder) under root.
  SP.translate = function (root) {
    var each = function (attr, set) {
      var els = root.querySelectorAll('[' + attr + ']');
      for (var i = 0; i < els.length; i++) set(els[i], SP.t(els[i].getAttribute(attr)));
    };
    each('data-t', function (e, v) { e.textContent = v; });
    each('data-t-title', function (e, v) { e.title = v; });
    each('data-t-label', function (e, v) { e.setAttribute('aria-label', v); });
    each('data-t-ph', function (e, v) { e.placeholder = v; });
  };
})(window.SP = window.SP || {});
