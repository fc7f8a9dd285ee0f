package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultMediaTimeout bounds each wait on a Media operation (Options.MediaTimeout).
const DefaultMediaTimeout = 20 * time.Second

// errMediaTimeout reports a Media operation that did not finish in time
// (a Promise that never settles, ICE gathering that never ends).
var errMediaTimeout = errors.New("media timeout")

// mediaPanic carries a panic of a Media operation back to the goroutine
// that waited for it, which panics again with the same value.
type mediaPanic struct{ value any }

// mediaWait runs op and waits for its result at most Options.MediaTimeout
// on the engine clock. op's context is cancelled at the deadline; if op
// ignores it, mediaWait returns errMediaTimeout all the same and op's late
// result is dropped when it finally returns.
func mediaWait[T any](e *Engine, op func(ctx context.Context) (T, error)) (T, error) {
	return mediaWaitFor(e, e.opts.MediaTimeout, op)
}

// mediaWaitFor is mediaWait with its own bound (a user picking the screen
// to share takes longer than a media operation).
func mediaWaitFor[T any](e *Engine, limit time.Duration, op func(ctx context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
		p   *mediaPanic
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	expired := make(chan struct{})
	stop := e.opts.AfterFunc(limit, func() { close(expired) })
	defer stop()
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.p = &mediaPanic{p}
			}
			done <- r
		}()
		r.v, r.err = op(ctx)
	}()
	select {
	case r := <-done:
		if r.p != nil {
			panic(r.p.value)
		}
		return r.v, r.err
	case <-expired:
		var zero T
		return zero, errMediaTimeout
	}
}

// lockNegotiation takes the line's negotiation slot (one SDP exchange at a
// time per line), waiting at most Options.MediaTimeout.
func (e *Engine) lockNegotiation(l *line) (unlock func(), err error) {
	select {
	case l.neg <- struct{}{}:
		return func() { <-l.neg }, nil
	default:
	}
	expired := make(chan struct{})
	stop := e.opts.AfterFunc(e.opts.MediaTimeout, func() { close(expired) })
	defer stop()
	select {
	case l.neg <- struct{}{}:
		return func() { <-l.neg }, nil
	case <-expired:
		return nil, fmt.Errorf("another negotiation is stuck: %w", errMediaTimeout)
	}
}

// negotiate runs one bounded Media operation with the line's negotiation
// slot held.
func negotiate[T any](e *Engine, l *line, op func(ctx context.Context) (T, error)) (T, error) {
	unlock, err := e.lockNegotiation(l)
	if err != nil {
		var zero T
		return zero, err
	}
	defer unlock()
	return mediaWait(e, op)
}

// mediaFailure is the short reason text for a failed Media operation.
func mediaFailure(err error) string {
	if errors.Is(err, errMediaTimeout) {
		return "media timeout"
	}
	return "cannot start media"
}
