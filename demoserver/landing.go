package demoserver

import (
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
)

// landingPage is what "/" shows when the static folder has no index.html:
// the skins and examples, each linked ready to use with a demo account.
type landingPage struct {
	Domain   string
	WSURL    string
	UDPAddr  string
	Accounts []landingAccount
	Examples []landingLink
	Manual   string // softphone.html with only the server filled in
}

type landingAccount struct {
	User, Password string
	Softphone      string // softphone.html signed in as this account
	ClickToCall    string // click2call.html calling Callee as this account
	Callee         string
}

type landingLink struct {
	Name, About, URL string
}

// landingExamples are the example pages, linked when they exist.
var landingExamples = []struct{ file, name, about string }{
	{"examples/minimal_example.html", "Minimal example", "the shortest page that makes a call"},
	{"examples/basic.html", "Basic example", "call, hang up and the state, accepting with confirm()"},
	{"examples/api_example.html", "API example", "most of the API and every callback in a log"},
}

// serveLanding answers "/" with the landing page. The WebSocket URL in its
// links is the host the browser used to reach this page.
func (s *Server) serveLanding(w http.ResponseWriter, r *http.Request) {
	ws := "ws://" + r.Host + "/ws"
	if r.TLS != nil {
		ws = "wss://" + r.Host + "/ws"
	}
	has := func(file string) bool { return fileExists(filepath.Join(s.opts.WWWDir, filepath.FromSlash(file))) }
	link := func(file string, q url.Values) string {
		if !has(file) {
			return ""
		}
		return file + "?" + q.Encode()
	}
	account := func(user string) url.Values {
		return url.Values{"wp_profile": {user}, "wp_serveraddress": {s.Domain()}, "wp_webrtcserveraddress": {ws},
			"wp_username": {user}, "wp_password": {s.accounts[user]}}
	}
	users := make([]string, 0, len(s.accounts))
	for u := range s.accounts {
		users = append(users, u)
	}
	sort.Strings(users)
	p := landingPage{Domain: s.Domain(), WSURL: ws, UDPAddr: s.UDPAddr()}
	for i, u := range users {
		callee := users[(i+1)%len(users)]
		c2c := account(u)
		c2c.Set("wp_callto", callee)
		p.Accounts = append(p.Accounts, landingAccount{User: u, Password: s.accounts[u],
			Softphone: link("softphone.html", account(u)), ClickToCall: link("click2call.html", c2c), Callee: callee})
	}
	if len(users) > 0 {
		for _, ex := range landingExamples {
			if l := link(ex.file, account(users[len(users)-1])); l != "" {
				p.Examples = append(p.Examples, landingLink{Name: ex.name, About: ex.about, URL: l})
			}
		}
	}
	p.Manual = link("softphone.html", url.Values{"wp_serveraddress": {s.Domain()}, "wp_webrtcserveraddress": {ws}})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err := landingTemplate.Execute(w, p); err != nil {
		s.log.Debug("landing page", "error", err)
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

var landingTemplate = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>webphone demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1c2330; }
  h1 { margin-bottom: .2rem; } .lead { margin-top: 0; opacity: .8; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #e3e6ea; }
  a.btn { display: inline-block; padding: .3rem .8rem; border-radius: 8px; background: #1a73e8; color: #fff; text-decoration: none; }
  a.btn.alt { background: #43b61b; }
  code { background: #f1f3f5; padding: .1rem .3rem; border-radius: 4px; }
  .server { font-size: .9rem; opacity: .85; }
</style>
</head>
<body>
<h1>webphone demo</h1>
<p class="lead">A SIP phone in the browser, talking to the SIP server built into this demo.
Open two accounts (two tabs, or two browsers) and call one from the other.</p>

<h2>Demo accounts</h2>
<table id="accounts">
<thead><tr><th>Account</th><th>Password</th><th>Softphone</th><th>Click to call</th></tr></thead>
<tbody>
{{range .Accounts}}<tr data-user="{{.User}}"><td>{{.User}}</td><td><code>{{.Password}}</code></td>
<td>{{if .Softphone}}<a class="btn softphone" href="{{.Softphone}}" target="_blank">Open as {{.User}}</a>{{end}}</td>
<td>{{if .ClickToCall}}<a class="btn alt click2call" href="{{.ClickToCall}}" target="_blank">{{.User}} calls {{.Callee}}</a>{{end}}</td></tr>
{{end}}</tbody>
</table>
{{if .Manual}}<p>Or <a id="manual" href="{{.Manual}}">sign in yourself</a> with any account above.</p>{{end}}

{{if .Examples}}<h2>Examples</h2>
<ul id="examples">
{{range .Examples}}<li><a href="{{.URL}}" target="_blank">{{.Name}}</a>: {{.About}}</li>
{{end}}</ul>{{end}}

<h2>Server</h2>
<p class="server">SIP domain <code>{{.Domain}}</code>, SIP over WebSocket <code>{{.WSURL}}</code>{{if .UDPAddr}},
SIP over UDP <code>{{.UDPAddr}}</code> (desk phones, softphones such as baresip){{end}}.
Settings are saved per account (<code>wp_profile</code>), so each tab keeps its own.</p>
</body>
</html>
`))
