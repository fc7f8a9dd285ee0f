package jsbridge

import (
	"net/url"
	"strings"
)

// CookieParams turns document.cookie ("a=1; wp_username=bob") into the
// query string of its wp_ cookies ("wp_username=bob"), which
// engine.Params.LoadURL applies like wp_ URL parameters (Mizu reads
// parameters from cookies named wp_<param>). Cookie values are taken as
// URI-encoded, as Mizu pages write them with encodeURIComponent.
func CookieParams(cookie string) string {
	var q []string
	for _, part := range strings.Split(cookie, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.HasPrefix(strings.ToLower(name), "wp_") || len(name) == 3 {
			continue
		}
		if dec, err := url.QueryUnescape(value); err == nil {
			value = dec
		}
		q = append(q, url.QueryEscape(name)+"="+url.QueryEscape(value))
	}
	return strings.Join(q, "&")
}
