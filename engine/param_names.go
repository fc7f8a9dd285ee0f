package engine

import "strings"

// paramAliases maps alternative and old parameter names to the current name
// (mizu_api.md §2.2, mizu_params.md §6.1). Keys are normalised names.
var paramAliases = map[string]string{
	"webrtcserver":               "webrtcserveraddress",
	"webrtcaddress":              "webrtcserveraddress",
	"rtcserver":                  "webrtcserveraddress",
	"rtcaddress":                 "webrtcserveraddress",
	"brandnamestr":               "brandname",
	"conferenceroom":             "conferencetype",
	"p2prtp":                     "use_fast_ice",
	"checkmicrophone":            "useaudiorecord",
	"enabledirectcalls":          "allowsipuriasusername",
	"backgroundcalls":            "callreceiver",
	"haveloginpage":              "useloginpage",
	"hasincomingcallpopup":       "incomingcallpopup",
	"hasincomingcall":            "incomingcallpopup",
	"hasvolume":                  "displayvolumecontrols",
	"haschat":                    "textmessaging",
	"chatsms":                    "textmessaging",
	"filters":                    "numpxrewrite",
	"numrewriterules":            "numpxrewrite",
	"prefercodec":                "prefcodec",
	"rtostat":                    "rtpstat", // mizu_api.md E31
	"videomc":                    "video",
	"vcodemc":                    "vcodec",
	"prefvcodecmc":               "prefvcodec",
	"sendrtpn-muted":             "sendrtponmuted",
	"scurl_onincalldisconnected": "scurl_oninccalldisconnected",
}

// paramDefaults are the documented defaults that getparameter reports for
// parameters that were never set, and that the typed getters fall back to.
var paramDefaults = map[string]string{
	"register":          "1",
	"registerinterval":  "300",
	"regtimeout":        "6000",
	"autostart":         "1",
	"forcereregister":   "1",
	"needunregister":    "true",
	"icetimeout":        "2000",
	"wskeepaliveival":   "30000",
	"dtmfmode":          "2",
	"playdtmfsound":     "1",
	"ringtimeout":       "90000",
	"calltimeout":       "10800000",
	"mediatimeout":      "300",
	"autoaction":        "0",
	"normalizenumber":   "-1",
	"autoaccept":        "false",
	"rejectonbusy":      "false",
	"autoignore":        "0",
	"holdtype":          "-1",
	"defmute":           "2",
	"apibehaviour":      "1",
	"loglevel":          "1",
	"disablesamecall":   "1",
	"textmessaging":     "-1",
	"allowcallredirect": "1",
	"transfertype":      "-1",
	"video":             "-1",
	"autodetectwebrtc":  "1",
}

// NormalizeParamName returns the canonical form of a parameter name:
// trimmed, lower case, with the wp_ URL prefix and known aliases resolved.
// The ucfg_ prefix is kept (it is meaningful only in the config object).
func NormalizeParamName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := paramAliases[n]; ok {
		return a
	}
	return n
}
