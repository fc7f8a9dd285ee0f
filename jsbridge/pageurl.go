//go:build js && wasm

package jsbridge

// PageURL returns the address of the page (location.href), whose wp_
// query parameters the engine applies (engine.Params.LoadURL). It is "" when
// there is no location (a worker without one).
func PageURL() string {
	loc, err := global("location")
	if err != nil {
		return ""
	}
	return getString(loc, "href")
}

// PageCookie returns document.cookie ("" when there is none or access is
// denied), whose wp_ cookies are parameters too (see CookieParams).
func PageCookie() string {
	doc, err := global("document")
	if err != nil {
		return ""
	}
	return getString(doc, "cookie")
}
