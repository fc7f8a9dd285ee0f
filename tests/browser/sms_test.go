package browser

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// smsAPIServer is the test's SMS HTTP API (on 127.0.0.1, stopped by the
// test): it keeps each request's query and answers with status, allowing
// the page's origin (CORS).
type smsAPIServer struct {
	srv    *httptest.Server
	status int
	mu     sync.Mutex
	got    []url.Values
}

func startSMSAPIServer(t *testing.T, status int) *smsAPIServer {
	t.Helper()
	s := &smsAPIServer{status: status}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodGet || r.URL.Path != "/api" {
			http.Error(w, "want GET /api", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.got = append(s.got, r.URL.Query())
		status := s.status
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *smsAPIServer) requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.got...)
}

// With the sms parameter set, sendsms(number, msg, from) reaches the SMS
// HTTP API with the keywords replaced, hostile text kept inside its field,
// and the outcome is reported by CHATREPORT (sent for 200, failed with the
// status otherwise).
func TestSendSMSThroughHTTPAPI(t *testing.T) {
	srv := startDemo(t)
	api := startSMSAPIServer(t, http.StatusOK)
	params := demoParams(srv, "1001")
	params["sms"] = "*" + api.srv.URL + "/api?function=sms&authkey=K1&anum=MYNUMBER&bnun=TARGETMOBILE&txt=TEXT"
	p := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), params)
	p.waitRegistered(20 * time.Second)

	const text = "hi & txt=x#y\r\nZ: 1 ü"
	if got := p.api(`sendsms("+3630 123", ` + jsString(text) + `, "5551234")`); got != "true" {
		t.Fatalf("sendsms = %s, want true", got)
	}
	p.waitEvent("sent report", 20*time.Second, eventNotification("CHATREPORT,-1,+3630 123,2,"))
	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("SMS API requests = %v, want 1", reqs)
	}
	q := reqs[0]
	want := url.Values{"function": {"sms"}, "authkey": {"K1"}, "anum": {"5551234"}, "bnun": {"+3630 123"}, "txt": {text}}
	if q.Encode() != want.Encode() {
		t.Errorf("SMS API query = %v, want %v", q, want)
	}

	api.mu.Lock()
	api.status = http.StatusServiceUnavailable
	api.mu.Unlock()
	if got := p.api(`sendsms("555", "again")`); got != "true" {
		t.Fatalf("sendsms = %s, want true", got)
	}
	p.waitEvent("failed report", 20*time.Second, eventNotification("CHATREPORT,-1,555,3,HTTP 503"))
	if reqs := api.requests(); len(reqs) != 2 || reqs[1].Get("anum") != "1001" {
		t.Errorf("second request %v: want MYNUMBER = the user name 1001", reqs)
	}
}
