package egress

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestClosedRanges(t *testing.T) {
	closed := []string{
		"127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "::", "::1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0",
		"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1",
		"100.64.0.1", "100.127.255.255",
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2",
		"255.255.255.255", "240.0.0.1",
		// IPv4-mapped IPv6 forms
		"::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::ffff:192.168.0.1", "::ffff:100.64.0.1", "::ffff:0.0.0.0",
		// NAT64 and IPv4-compatible forms
		"64:ff9b::127.0.0.1", "64:ff9b::a00:1", "::127.0.0.1",
	}
	for _, s := range closed {
		if !Closed(netip.MustParseAddr(s)) {
			t.Errorf("Closed(%s) = false, want true", s)
		}
	}
	open := []string{"1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
		"11.0.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}
	for _, s := range open {
		if Closed(netip.MustParseAddr(s)) {
			t.Errorf("Closed(%s) = true, want false", s)
		}
	}
	if !Closed(netip.Addr{}) {
		t.Error("the zero Addr must be closed")
	}
}

func TestParseRules(t *testing.T) {
	good := map[string]Rule{
		"1.2.3.4":             {Prefix: netip.MustParsePrefix("1.2.3.4/32")},
		"1.2.3.4:5432":        {Prefix: netip.MustParsePrefix("1.2.3.4/32"), Port: 5432},
		"10.0.0.0/8":          {Prefix: netip.MustParsePrefix("10.0.0.0/8")},
		"10.1.2.3/8:443":      {Prefix: netip.MustParsePrefix("10.0.0.0/8"), Port: 443},
		"[::1]:80":            {Prefix: netip.MustParsePrefix("::1/128"), Port: 80},
		"::1":                 {Prefix: netip.MustParsePrefix("::1/128")},
		"fd00::/8":            {Prefix: netip.MustParsePrefix("fd00::/8")},
		"[fd00::/8]:443":      {Prefix: netip.MustParsePrefix("fd00::/8"), Port: 443},
		"::ffff:127.0.0.1":    {Prefix: netip.MustParsePrefix("127.0.0.1/32")},
		"db.example.com:5432": {Host: "db.example.com", Port: 5432},
		" DB.Example.com. ":   {Host: "db.example.com"},
		"localhost:3306":      {Host: "localhost", Port: 3306},
		"host:port-less":      {},
	}
	delete(good, "host:port-less")
	for in, want := range good {
		rs, err := ParseRules([]string{in})
		if err != nil {
			t.Errorf("ParseRules(%q): %v", in, err)
			continue
		}
		if rs[0] != want {
			t.Errorf("ParseRules(%q) = %+v, want %+v", in, rs[0], want)
		}
	}
	bad := []string{"", "   ", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", "1.2.3.4:http", "10.0.0.0/33", "300.1.2.3",
		"1.2.3", "[::1", "[::1]x", "[::1]:", "exa mple.com", "-bad.example.com", "a/b", "fe80::1%eth0", "*.example.com", "host:1:2:x"}
	for _, in := range bad {
		_, err := ParseRules([]string{"1.1.1.1", in})
		if err == nil {
			t.Errorf("ParseRules(%q): no error", in)
			continue
		}
		if !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseRules(%q): error %q does not name the entry", in, err)
		}
	}
}

func TestRuleString(t *testing.T) {
	for _, in := range []string{"1.2.3.4", "1.2.3.4:5432", "10.0.0.0/8:443", "[::1]:80", "fd00::/8", "db.example.com:5432"} {
		rs, err := ParseRules([]string{in})
		if err != nil {
			t.Fatal(err)
		}
		if got := rs[0].String(); got != in {
			t.Errorf("String() = %q, want %q", got, in)
		}
		again, err := ParseRules([]string{rs[0].String()})
		if err != nil || again[0] != rs[0] {
			t.Errorf("%q does not round-trip: %v %v", in, again, err)
		}
	}
}

func mustRules(t *testing.T, entries ...string) []Rule {
	t.Helper()
	rs, err := ParseRules(entries)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestCheck(t *testing.T) {
	ap := netip.MustParseAddrPort
	var p Policy
	if err := p.Check("", ap("8.8.8.8:443")); err != nil {
		t.Errorf("public address refused by default: %v", err)
	}
	err := p.Check("", ap("127.0.0.1:5432"))
	if err == nil || !IsRefused(err) {
		t.Fatalf("loopback allowed by default: %v", err)
	}
	for _, want := range []string{"127.0.0.1:5432", "egressAllow", "JOBFLOW_EGRESS_ALLOW", "SYS_ADMIN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := p.Check("", ap("[::ffff:127.0.0.1]:5432")); err == nil {
		t.Error("v4-mapped loopback allowed by default")
	}
	if err := p.Check("", ap("[fe80::1%eth0]:80")); err == nil {
		t.Error("link-local with a zone allowed")
	}

	p.Allow = mustRules(t, "127.0.0.1:5432", "10.0.0.0/8:443", "db.internal:3306")
	if err := p.Check("", ap("127.0.0.1:5432")); err != nil {
		t.Errorf("allowed address refused: %v", err)
	}
	if err := p.Check("", ap("[::ffff:127.0.0.1]:5432")); err != nil {
		t.Errorf("v4-mapped form of an allowed address refused: %v", err)
	}
	if err := p.Check("", ap("127.0.0.1:5433")); err == nil {
		t.Error("another port of an allowed address allowed")
	}
	if err := p.Check("", ap("10.9.8.7:443")); err != nil {
		t.Errorf("address in an allowed prefix refused: %v", err)
	}
	if err := p.Check("", ap("10.9.8.7:80")); err == nil {
		t.Error("another port of an allowed prefix allowed")
	}
	if err := p.Check("db.internal", ap("10.1.1.1:3306")); err != nil {
		t.Errorf("allowed host name refused: %v", err)
	}
	if err := p.Check("other.internal", ap("10.1.1.1:3306")); err == nil {
		t.Error("another host name allowed by a host rule")
	}

	// Deny: the store and Temporal are refused unless named exactly.
	p = Policy{Allow: mustRules(t, "127.0.0.0/8", "10.0.0.5"), Deny: []netip.AddrPort{ap("127.0.0.1:5432"), ap("10.0.0.5:7233")}}
	if err := p.Check("", ap("127.0.0.1:5432")); err == nil || !strings.Contains(err.Error(), "own store") {
		t.Errorf("the store allowed by a prefix rule: %v", err)
	}
	if err := p.Check("", ap("10.0.0.5:7233")); err == nil {
		t.Error("Temporal allowed by a port-less address rule")
	}
	if err := p.Check("", ap("127.0.0.1:8080")); err != nil {
		t.Errorf("another loopback port refused: %v", err)
	}
	if err := p.Check("", ap("8.8.8.8:5432")); err != nil {
		t.Errorf("unrelated public address refused: %v", err)
	}
	// A host name rule does not open it either: the name's DNS could
	// point anywhere.
	p.Allow = append(p.Allow, mustRules(t, "db.tenant.example:5432", "[::ffff:127.0.0.1]:5433")...)
	if err := p.Check("db.tenant.example", ap("127.0.0.1:5432")); err == nil {
		t.Error("the store opened by a host name rule")
	}
	p.Allow = append(p.Allow, mustRules(t, "127.0.0.1:5432")...)
	if err := p.Check("", ap("127.0.0.1:5432")); err != nil {
		t.Errorf("the store refused though named exactly: %v", err)
	}
	if err := p.Check("", ap("[::ffff:127.0.0.1]:5432")); err != nil {
		t.Errorf("the v4-mapped form of the store refused though named exactly: %v", err)
	}
	// Deny even applies to public addresses.
	p = Policy{Deny: []netip.AddrPort{ap("8.8.8.8:7233")}}
	if err := p.Check("", ap("8.8.8.8:7233")); err == nil {
		t.Error("a public Deny address allowed")
	}
}

func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return l, port
}

func TestDialContext(t *testing.T) {
	_, port := listen(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d := &net.Dialer{Timeout: 2 * time.Second}

	dial := Policy{}.DialContext(d)
	if _, err := dial(ctx, "tcp", "127.0.0.1:"+port); err == nil || !IsRefused(err) || !strings.Contains(err.Error(), "127.0.0.1:"+port) {
		t.Fatalf("dial to loopback: %v", err)
	}
	// A name that resolves to a closed address (DNS rebinding, or simply
	// localhost) is checked on the address it resolved to.
	if _, err := dial(ctx, "tcp", "localhost:"+port); err == nil || !IsRefused(err) {
		t.Fatalf("dial to localhost: %v", err)
	}
	if _, err := dial(ctx, "unix", "/var/run/postgresql/.s.PGSQL.5432"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial of a unix socket: %v", err)
	}

	dial = Policy{Allow: mustRules(t, "127.0.0.1:"+port)}.DialContext(d)
	c, err := dial(ctx, "tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("dial to an allowed address: %v", err)
	}
	c.Close()
	// localhost may resolve to ::1 first: refused there, 127.0.0.1 allowed;
	// the dialler falls back to the allowed one.
	c, err = dial(ctx, "tcp4", "localhost:"+port)
	if err != nil {
		t.Fatalf("dial to localhost whose address is allowed: %v", err)
	}
	c.Close()

	// A host-name rule opens that name only, not the address it resolves to
	// under another name.
	dial = Policy{Allow: mustRules(t, "localhost:"+port)}.DialContext(d)
	if c, err := dial(ctx, "tcp4", "localhost:"+port); err != nil {
		t.Fatalf("dial to an allowed name: %v", err)
	} else {
		c.Close()
	}
	if _, err := dial(ctx, "tcp", "127.0.0.1:"+port); err == nil {
		t.Fatal("a host-name rule opened the bare address")
	}
}

func TestDialContextKeepsControlContext(t *testing.T) {
	_, port := listen(t)
	called := false
	d := &net.Dialer{ControlContext: func(context.Context, string, string, syscall.RawConn) error { called = true; return nil }}
	if _, err := (Policy{}).DialContext(d)(context.Background(), "tcp", "127.0.0.1:"+port); err == nil || called {
		t.Fatalf("refused dial: err %v, the dialer's ControlContext called %v", err, called)
	}
	c, err := Policy{Allow: mustRules(t, "127.0.0.1")}.DialContext(d)(context.Background(), "tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !called {
		t.Error("the dialer's own ControlContext was not called")
	}
}

func TestDialContextKeepsControl(t *testing.T) {
	_, port := listen(t)
	called := false
	d := &net.Dialer{Control: func(string, string, syscall.RawConn) error { called = true; return nil }}
	dial := Policy{Allow: mustRules(t, "127.0.0.1")}.DialContext(d)
	c, err := dial(context.Background(), "tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !called {
		t.Error("the dialer's own Control was not called")
	}
}
