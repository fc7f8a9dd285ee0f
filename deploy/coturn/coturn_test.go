package coturn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// STUN/TURN message types and attributes (RFC 5389, RFC 5766).
const (
	bindingRequest    = 0x0001
	bindingSuccess    = 0x0101
	allocateRequest   = 0x0003
	allocateSuccess   = 0x0103
	allocateError     = 0x0113
	attrUsername      = 0x0006
	attrIntegrity     = 0x0008
	attrErrorCode     = 0x0009
	attrRealm         = 0x0014
	attrNonce         = 0x0015
	attrRelayed       = 0x0016
	attrTransport     = 0x0019
	magicCookie       = 0x2112A442
	stunHeaderLength  = 20
	integrityAttrSize = 24
)

type attr struct {
	typ uint16
	val []byte
}

// stunMessage encodes a request; with key it ends with MESSAGE-INTEGRITY.
func stunMessage(typ uint16, attrs []attr, key []byte) []byte {
	var body bytes.Buffer
	for _, a := range attrs {
		_ = binary.Write(&body, binary.BigEndian, [2]uint16{a.typ, uint16(len(a.val))})
		body.Write(a.val)
		body.Write(make([]byte, (4-len(a.val)%4)%4))
	}
	msg := make([]byte, stunHeaderLength, stunHeaderLength+body.Len()+integrityAttrSize)
	binary.BigEndian.PutUint16(msg[0:], typ)
	binary.BigEndian.PutUint32(msg[4:], magicCookie)
	_, _ = rand.Read(msg[8:20])
	msg = append(msg, body.Bytes()...)
	if key == nil {
		binary.BigEndian.PutUint16(msg[2:], uint16(body.Len()))
		return msg
	}
	binary.BigEndian.PutUint16(msg[2:], uint16(body.Len()+integrityAttrSize))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	msg = binary.BigEndian.AppendUint16(msg, attrIntegrity)
	msg = binary.BigEndian.AppendUint16(msg, 20)
	return mac.Sum(msg)
}

// parseSTUN returns a response's type and attributes.
func parseSTUN(b []byte) (uint16, map[uint16][]byte, error) {
	if len(b) < stunHeaderLength || binary.BigEndian.Uint32(b[4:]) != magicCookie {
		return 0, nil, fmt.Errorf("not a STUN message (%d bytes)", len(b))
	}
	typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	if stunHeaderLength+n > len(b) {
		return 0, nil, fmt.Errorf("STUN length %d beyond %d bytes", n, len(b))
	}
	attrs := map[uint16][]byte{}
	rest := b[stunHeaderLength : stunHeaderLength+n]
	for len(rest) >= 4 {
		t, l := binary.BigEndian.Uint16(rest), int(binary.BigEndian.Uint16(rest[2:]))
		if 4+l > len(rest) {
			break
		}
		attrs[t] = rest[4 : 4+l]
		rest = rest[min(len(rest), 4+l+(4-l%4)%4):]
	}
	return typ, attrs, nil
}

// exchange sends msg and returns the answer (bounded by the deadline).
func exchange(t *testing.T, c net.Conn, msg []byte, wait time.Duration) (uint16, map[uint16][]byte, error) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		return 0, nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return 0, nil, err
	}
	return parseSTUN(buf[:n])
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// confValue returns the value of key=value in the shipped configuration.
func confValue(t *testing.T, conf, key string) string {
	t.Helper()
	for _, l := range strings.Split(conf, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	t.Fatalf("turnserver.conf has no %s=", key)
	return ""
}

// coturn runs with the shipped turnserver.conf (ports moved to free ones on
// 127.0.0.1, a self-signed certificate), answers STUN, refuses a TURN
// allocation without or with wrong credentials, and grants one with the
// configured user, in the configured realm.
func TestCoturnWithTheShippedConfigAllocates(t *testing.T) {
	confBytes, err := os.ReadFile("turnserver.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(confBytes)
	realm := confValue(t, conf, "realm")
	user, pass, _ := strings.Cut(confValue(t, conf, "user"), ":")

	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	port := infra.FreeUDPPort(t)
	relay := infra.FreeUDPPort(t)
	confPath, err := filepath.Abs("turnserver.conf")
	if err != nil {
		t.Fatal(err)
	}
	infra.StartServer(t, "coturn", "turnserver", "-c", confPath,
		"--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
		"--listening-port="+strconv.Itoa(port), "--tls-listening-port="+strconv.Itoa(infra.FreeUDPPort(t)),
		"--min-port="+strconv.Itoa(relay), "--max-port="+strconv.Itoa(relay+20),
		"--cert="+cert, "--pkey="+key, "--pidfile="+filepath.Join(dir, "turnserver.pid"),
		"--log-file=stdout", "--userdb="+filepath.Join(dir, "turndb"))

	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// coturn answers a Binding request once it listens
	deadline := time.Now().Add(15 * time.Second)
	for {
		typ, _, err := exchange(t, c, stunMessage(bindingRequest, nil, nil), 300*time.Millisecond)
		if err == nil && typ == bindingSuccess {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("coturn does not answer STUN on 127.0.0.1:%d: %v (type %#x)", port, err, typ)
		}
	}

	udp := attr{attrTransport, []byte{17, 0, 0, 0}}
	typ, attrs, err := exchange(t, c, stunMessage(allocateRequest, []attr{udp}, nil), 5*time.Second)
	if err != nil || typ != allocateError || attrErrorCodeOf(attrs) != 401 {
		t.Fatalf("Allocate without credentials: type %#x error %d (%v), want 401", typ, attrErrorCodeOf(attrs), err)
	}
	if string(attrs[attrRealm]) != realm {
		t.Errorf("realm %q, want the configured %q", attrs[attrRealm], realm)
	}
	nonce := attrs[attrNonce]
	allocate := func(password string) (uint16, map[uint16][]byte, error) {
		k := md5.Sum([]byte(user + ":" + realm + ":" + password))
		return exchange(t, c, stunMessage(allocateRequest, []attr{udp, {attrUsername, []byte(user)},
			{attrRealm, []byte(realm)}, {attrNonce, nonce}}, k[:]), 5*time.Second)
	}
	typ, attrs, err = allocate(pass + "x")
	if err != nil || typ != allocateError || attrErrorCodeOf(attrs) != 401 {
		t.Errorf("Allocate with a wrong password: type %#x error %d (%v), want 401", typ, attrErrorCodeOf(attrs), err)
	}
	typ, attrs, err = allocate(pass)
	if err != nil || typ != allocateSuccess {
		t.Fatalf("Allocate as %s: type %#x error %d (%v), want success", user, typ, attrErrorCodeOf(attrs), err)
	}
	if len(attrs[attrRelayed]) < 8 {
		t.Errorf("the allocation has no XOR-RELAYED-ADDRESS: %v", attrs)
	}
}

// attrErrorCodeOf reads ERROR-CODE (0 when absent).
func attrErrorCodeOf(attrs map[uint16][]byte) int {
	v := attrs[attrErrorCode]
	if len(v) < 4 {
		return 0
	}
	return int(v[2]&7)*100 + int(v[3])
}
