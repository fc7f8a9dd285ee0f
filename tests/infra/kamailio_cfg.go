package infra

// kamailioConfig is the Kamailio 5.6 script template. Placeholders:
// {{.UDPPort}} {{.WSPort}} {{.Domain}} {{.ModulesDir}} {{.Debug}}
// {{.Users}} (htable init lines) {{.RtpengineSock}} ("" = no rtpengine).
const kamailioConfig = `#!KAMAILIO
{{if .RtpengineSock}}#!define WITH_RTPENGINE
{{end}}
#!define FLT_SRC_WS 1
#!define FLT_LATE_OFFER 2
#!define FLT_NATS 5
#!define FLB_NATB 6

debug={{.Debug}}
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=off
dns_try_ipv6=no
enable_sctp=no
listen=udp:127.0.0.1:{{.UDPPort}}
listen=tcp:127.0.0.1:{{.WSPort}}
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
server_header="Server: webphone-test-kamailio"
user_agent_header="User-Agent: webphone-test-kamailio"

mpath="{{.ModulesDir}}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "auth.so"
loadmodule "htable.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
#!ifdef WITH_RTPENGINE
loadmodule "rtpengine.so"
#!endif

modparam("tm", "failure_reply_mode", 3)
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "nat_bflag", FLB_NATB)
modparam("usrloc", "timer_procs", 0)
modparam("registrar", "method_filtering", 1)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", 0)
modparam("htable", "htable", "users=>size=4;")
modparam("auth", "nonce_expire", 300)
modparam("websocket", "sub_protocols", 1)
#!ifdef WITH_RTPENGINE
modparam("rtpengine", "rtpengine_sock", "{{.RtpengineSock}}")
modparam("rtpengine", "rtpengine_disable_tout", 2)
modparam("rtpengine", "rtpengine_tout_ms", 2000)
modparam("rtpengine", "rtpengine_retr", 2)
#!endif

event_route[htable:mod-init] {
{{.Users}}	xlog("L_INFO", "test users loaded\n");
}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if ($proto == "ws" || $proto == "wss") {
		setflag(FLT_SRC_WS);
	}
	force_rport();
	route(NATDETECT);

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
#!ifdef WITH_RTPENGINE
			rtpengine_delete();
#!endif
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	route(WITHINDLG);

	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
	}

	if (is_method("OPTIONS") && ($rd == "{{.Domain}}" || uri == myself) && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	# The domain is the bare address; any port on it means this server.
	if ($rd != "{{.Domain}}" && uri != myself) {
		sl_send_reply("403", "Relaying Forbidden");
		exit;
	}

	route(AUTH);
	route(REGISTRAR);

	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	route(LOCATION);
}

# WebSocket clients (RFC 7118) send ".invalid" contacts: remember where they
# really are so later requests reach them through their connection.
route[NATDETECT] {
	if (!isflagset(FLT_SRC_WS)) return;
	setflag(FLT_NATS);
	if (is_method("REGISTER")) {
		fix_nated_register();
	} else if (is_present_hf("Contact")) {
		add_contact_alias();
	}
}

route[WITHINDLG] {
	if (!has_totag()) return;
	if (loose_route()) {
		if (!isdsturiset()) {
			handle_ruri_alias();
		}
#!ifdef WITH_RTPENGINE
		if (is_method("BYE")) {
			rtpengine_delete();
		} else if (is_method("ACK") && has_body("application/sdp")) {
			route(RTPENGINE_NEXTHOP);
			rtpengine_answer("$var(rtpflags)");
		}
#!endif
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (is_method("BYE|INFO|UPDATE|NOTIFY|REFER|MESSAGE|PRACK")) {
		# in-dialog request without Route (peer that ignored Record-Route):
		# a WebSocket target carries its alias; a local user is looked up
		handle_ruri_alias();
		if (isdsturiset()) {
			route(RELAY);
			exit;
		}
		if (($rd == "{{.Domain}}" || uri == myself) && $rU != $null && lookup("location")) {
			route(RELAY);
			exit;
		}
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[AUTH] {
	if (is_method("ACK|CANCEL|PRACK")) return;
	$var(pw) = "\t-no-such-user-";
	if ($au != $null && $sht(users=>$au) != $null) {
		$var(pw) = $sht(users=>$au);
	}
	pv_auth_check("{{.Domain}}", "$var(pw)", "0", "1");
	$var(rc) = $rc;
	if ($var(rc) > 0) {
		consume_credentials();
		return;
	}
	if ($var(rc) == -2 || $var(rc) == -3 || $var(rc) == -8) {
		xlog("L_NOTICE", "auth refused for '$au' ($var(rc)) $rm from $si:$sp\n");
		sl_send_reply("403", "Forbidden");
		exit;
	}
	auth_challenge("{{.Domain}}", "1");
	exit;
}

route[REGISTRAR] {
	if (!is_method("REGISTER")) return;
	if (isflagset(FLT_NATS)) {
		setbflag(FLB_NATB);
	}
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

route[LOCATION] {
	if (!lookup("location")) {
		$var(rc) = $rc;
		t_newtran();
		switch ($var(rc)) {
			case -1:
			case -3:
				send_reply("404", "Not Found");
				exit;
			case -2:
				send_reply("405", "Method Not Allowed");
				exit;
		}
	}
	route(RELAY);
	exit;
}

route[RELAY] {
	if (is_method("INVITE") && !has_body("application/sdp")) {
		setflag(FLT_LATE_OFFER);
	}
	if (!t_is_set("branch_route")) t_on_branch("MANAGE_BRANCH");
	if (!t_is_set("onreply_route")) t_on_reply("MANAGE_REPLY");
	if (is_method("INVITE") && !t_is_set("failure_route")) t_on_failure("MANAGE_FAILURE");
	xlog("L_INFO", "relay $rm ru=$ru du=$du\n");
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

# $var(rtpflags): rtpengine flags for the hop the request goes to next.
route[RTPENGINE_NEXTHOP] {
	if (isdsturiset()) {
		$var(nh) = $du;
	} else {
		$var(nh) = $ru;
	}
	if ($var(nh) =~ "transport=[Ww][Ss][Ss]?") {
		$var(rtpflags) = "replace-origin replace-session-connection ICE=force DTLS=passive UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require generate-mid";
	} else {
		$var(rtpflags) = "replace-origin replace-session-connection ICE=remove RTP/AVP rtcp-mux-demux";
	}
}

# $var(rtpflags): rtpengine flags for the hop a reply goes back to.
route[RTPENGINE_PREVHOP] {
	if (isflagset(FLT_SRC_WS)) {
		$var(rtpflags) = "replace-origin replace-session-connection ICE=force DTLS=passive UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require generate-mid";
	} else {
		$var(rtpflags) = "replace-origin replace-session-connection ICE=remove RTP/AVP rtcp-mux-demux";
	}
}

branch_route[MANAGE_BRANCH] {
	xlog("L_INFO", "branch $rm ru=$ru du=$du\n");
#!ifdef WITH_RTPENGINE
	if (is_method("INVITE|UPDATE") && has_body("application/sdp")) {
		route(RTPENGINE_NEXTHOP);
		xlog("L_INFO", "rtpengine offer toward $var(nh): $var(rtpflags)\n");
		rtpengine_offer("$var(rtpflags)");
	}
#!endif
}

onreply_route[MANAGE_REPLY] {
	if (($proto == "ws" || $proto == "wss") && is_present_hf("Contact")) {
		add_contact_alias();
	}
#!ifdef WITH_RTPENGINE
	if (is_method("INVITE|UPDATE") && has_body("application/sdp") && status =~ "(18[0-9])|(2[0-9][0-9])") {
		route(RTPENGINE_PREVHOP);
		if (isflagset(FLT_LATE_OFFER)) {
			rtpengine_offer("$var(rtpflags)");
		} else {
			xlog("L_INFO", "rtpengine answer toward caller: $var(rtpflags)\n");
			rtpengine_answer("$var(rtpflags)");
		}
	}
#!endif
}

failure_route[MANAGE_FAILURE] {
#!ifdef WITH_RTPENGINE
	rtpengine_delete();
#!endif
	if (t_is_canceled()) exit;
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "[Ww]eb[Ss]ocket" && $hdr(Connection) =~ "[Uu]pgrade" && $rm == "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}

event_route[websocket:closed] {
	xlog("L_INFO", "websocket connection from $si:$sp closed\n");
}
`
