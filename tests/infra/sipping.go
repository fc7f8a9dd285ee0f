package infra

import (
	"fmt"
	"net"
	"time"

	"github.com/emiago/sipgo/sip"
)

// sipOptionsPing sends one out-of-dialog OPTIONS over UDP to addr and waits
// for a 200 response.
func sipOptionsPing(addr string, timeout time.Duration) error {
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.UDPAddr)
	host, port, err := splitHostPortInt(addr)
	if err != nil {
		return err
	}

	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: host, Port: port})
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
		Host: "127.0.0.1", Port: local.Port, Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	req.AppendHeader(via)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "infra-ping", Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: host, Port: port}})
	callID := sip.CallIDHeader(sip.GenerateTagN(16))
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.SetBody(nil)

	dst, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return err
	}
	if _, err := conn.WriteTo([]byte(req.String()), dst); err != nil {
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 65535)
	n, _, err := conn.ReadFrom(buf)
	if err != nil {
		return err
	}
	msg, err := sip.ParseMessage(buf[:n])
	if err != nil {
		return fmt.Errorf("bad OPTIONS response: %w", err)
	}
	res, ok := msg.(*sip.Response)
	if !ok {
		return fmt.Errorf("OPTIONS answered by a request")
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("OPTIONS answered %q", res.StartLine())
	}
	return nil
}

func splitHostPortInt(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	var port int
	if _, err := fmt.Sscanf(p, "%d", &port); err != nil {
		return "", 0, fmt.Errorf("bad port in %q", addr)
	}
	return host, port, nil
}
