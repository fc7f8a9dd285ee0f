package infra

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// echoServer answers every line with the same line, until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				rd := bufio.NewReader(c)
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// echo sends one line through c and returns the answer (or the error).
func echo(c net.Conn, rd *bufio.Reader, s string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(s + "\n")); err != nil {
		return "", err
	}
	line, err := rd.ReadString('\n')
	return strings.TrimSuffix(line, "\n"), err
}

func dialRelay(t *testing.T, r *Relay) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp4", r.Addr)
	if err != nil {
		t.Fatalf("dial relay: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// The relay forwards both ways; Cut drops every carried connection; while
// refusing, new connections are reset; after Accept they work again.
func TestRelayForwardsCutsRefusesAndAcceptsAgain(t *testing.T) {
	r := StartRelay(t, echoServer(t))
	if !strings.HasPrefix(r.URL, "ws://127.0.0.1:") {
		t.Errorf("URL = %q", r.URL)
	}
	c1, rd1 := dialRelay(t, r)
	if got, err := echo(c1, rd1, "hello"); err != nil || got != "hello" {
		t.Fatalf("echo through the relay = %q, %v", got, err)
	}
	if err := r.WaitFor("one active connection", 5*time.Second, func(a, _, n int) bool { return a == 1 && n == 1 }); err != nil {
		t.Fatal(err)
	}

	if n := r.Cut(); n != 1 {
		t.Errorf("Cut() = %d, want 1", n)
	}
	_ = c1.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := rd1.ReadString('\n'); err == nil {
		t.Fatal("the cut connection still reads")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the cut connection was not closed (read timed out)")
	}
	if err := r.WaitFor("no active connection", 5*time.Second, func(_, _, n int) bool { return n == 0 }); err != nil {
		t.Fatal(err)
	}

	r.Refuse()
	// The relay resets a refused connection as soon as it accepts it, so the
	// reset may already reach the dial itself; either way nothing is echoed.
	if c2, err := net.Dial("tcp4", r.Addr); err == nil {
		t.Cleanup(func() { c2.Close() })
		if got, err := echo(c2, bufio.NewReader(c2), "refused?"); err == nil {
			t.Fatalf("a connection made while refusing echoed %q", got)
		}
	}
	if err := r.WaitFor("a refused connection", 5*time.Second, func(_, f, _ int) bool { return f == 1 }); err != nil {
		t.Fatal(err)
	}

	r.Accept()
	c3, rd3 := dialRelay(t, r)
	if got, err := echo(c3, rd3, "again"); err != nil || got != "again" {
		t.Fatalf("echo after Accept = %q, %v", got, err)
	}
	if a := r.Accepted(); a != 2 {
		t.Errorf("Accepted() = %d, want 2", a)
	}
	r.Close()
	_ = c3.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := rd3.ReadString('\n'); err == nil {
		t.Fatal("a connection survived Close")
	}
}
