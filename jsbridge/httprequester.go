//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PageHTTP is engine.HTTPRequester in the page: a GET with fetch (no
// cookies or credentials sent, not cached), aborted through an
// AbortController when the timeout passes. A cross-origin API must answer
// with CORS headers for its status to be seen; otherwise fetch fails and
// that failure is reported.
type PageHTTP struct{}

var (
	_ engine.HTTPRequester     = PageHTTP{}
	_ engine.HTTPTextRequester = PageHTTP{}
)

// Get requests u in a goroutine and calls done once with the HTTP status or
// the error; it never throws into the page.
func (PageHTTP) Get(u string, timeout time.Duration, done func(status int, err error)) {
	go func() {
		status, err := pageGet(u, timeout)
		done(status, err)
	}()
}

// GetText requests u like Get and also hands over the answer's text (the
// server address book); a text over maxBytes is an error.
func (PageHTTP) GetText(u string, timeout time.Duration, maxBytes int, done func(status int, body string, err error)) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		resp, abort, err := pageFetch(ctx, u, timeout)
		if err != nil {
			done(0, "", err)
			return
		}
		status := getInt(resp, "status")
		p, err := resp.Call("text")
		if err != nil {
			done(status, "", err)
			return
		}
		text, err := await(ctx, p)
		if errors.Is(err, context.DeadlineExceeded) && abort != nil {
			abort()
		}
		if err != nil {
			done(status, "", err)
			return
		}
		s, err := text.String()
		switch {
		case err != nil:
			done(status, "", err)
		case len(s) > maxBytes:
			done(status, "", errors.New("answer longer than "+strconv.Itoa(maxBytes)+" bytes"))
		default:
			done(status, s, nil)
		}
	}()
}

// pageGet runs one fetch and waits for its answer, at most timeout.
func pageGet(u string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, _, err := pageFetch(ctx, u, timeout)
	if err != nil {
		return 0, err
	}
	return getInt(resp, "status"), nil
}

// pageFetch runs one fetch and waits for its response (headers), until
// ctx ends; abort cancels the request's body download too.
func pageFetch(ctx context.Context, u string, timeout time.Duration) (resp safejs.Value, abort func(), err error) {
	fetch, err := global("fetch")
	if err != nil {
		return safejs.Undefined(), nil, err
	}
	init := map[string]any{"method": "GET", "credentials": "omit", "cache": "no-store"}
	if ctor, err := global("AbortController"); err == nil {
		if ac, err := ctor.New(); err == nil {
			if sig, err := ac.Get("signal"); err == nil {
				init["signal"] = sig
				abort = func() { _, _ = ac.Call("abort") }
			}
		}
	}
	p, err := fetch.Invoke(u, init)
	if err != nil {
		return safejs.Undefined(), nil, err
	}
	resp, err = await(ctx, p)
	if errors.Is(err, context.DeadlineExceeded) {
		if abort != nil {
			abort()
		}
		return safejs.Undefined(), nil, errors.New("no answer in " + strconv.Itoa(int(timeout/time.Second)) + " s")
	}
	if err != nil {
		return safejs.Undefined(), nil, err
	}
	return resp, abort, nil
}
