// Package egress decides where jobflow may connect on a tenant's behalf: SQL
// datasources, HTTP jobs and alarm channels all dial through a Policy.
//
// Egress is closed by default to the addresses that reach this host or its
// private network: loopback, unspecified, link-local, private (RFC 1918 and
// fc00::/7), CGNAT, multicast, broadcast and reserved ranges, and the
// IPv4-mapped and NAT64 forms of these (see Closed). Public addresses are
// open. A tenant's egressAllow (set by a SYS_ADMIN) and the installation's
// JOBFLOW_EGRESS_ALLOW open closed destinations, as rules (see ParseRules).
//
// jobflow's own store and Temporal frontend addresses (Policy.Deny) are
// refused even when a rule covers them by a range or a host name: only a
// rule that names that exact address and port ("127.0.0.1:5432") opens one.
//
// A host name rule opens whatever the name resolves to when it is dialled
// by that name: it trusts the name's DNS, so prefer address rules for names
// a tenant controls.
//
// Every address is checked when the socket connects (net.Dialer.Control),
// after name resolution, so a name that resolves to a closed address (DNS
// rebinding included) is refused whatever it resolved to before.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Rule is one allow-list entry.
type Rule struct {
	Prefix netip.Prefix
	Port   uint16 // 0: any
	Host   string // a DNS name, "" when Prefix is set
}

// String is the rule in ParseRules' syntax.
func (r Rule) String() string {
	var s string
	switch {
	case r.Host != "":
		s = r.Host
	case r.Prefix.IsSingleIP():
		s = r.Prefix.Addr().String()
	default:
		s = r.Prefix.String()
	}
	if r.Port == 0 {
		return s
	}
	if r.Host == "" && r.Prefix.Addr().Is6() {
		return "[" + s + "]:" + strconv.Itoa(int(r.Port))
	}
	return s + ":" + strconv.Itoa(int(r.Port))
}

// matches reports whether r covers the destination a dialled as host.
func (r Rule) matches(host string, a netip.AddrPort) bool {
	if r.Port != 0 && r.Port != a.Port() {
		return false
	}
	if r.Host != "" {
		return host != "" && normalHost(host) == r.Host
	}
	return r.Prefix.IsValid() && r.Prefix.Contains(a.Addr().Unmap())
}

// exact reports whether r names exactly the address and port a. A host
// name rule never does: whoever controls the name's DNS could point it at
// jobflow's own store.
func (r Rule) exact(a netip.AddrPort) bool {
	return r.Host == "" && r.Port != 0 && r.Port == a.Port() && r.Prefix.IsSingleIP() && r.Prefix.Addr() == a.Addr().Unmap()
}

var hostRE = regexp.MustCompile(`^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$`)

func normalHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// ParseRules parses allow-list entries: an address ("1.2.3.4", "::1"), a
// prefix ("10.0.0.0/8", "fd00::/8"), or a DNS name ("db.example.com"), each
// optionally with a port ("1.2.3.4:5432", "10.0.0.0/8:443", "[::1]:80",
// "[fd00::/8]:443", "db.example.com:5432"). Without a port every port is
// allowed. The error names the bad entry.
func ParseRules(entries []string) ([]Rule, error) {
	rules := make([]Rule, 0, len(entries))
	for _, e := range entries {
		r, err := parseRule(strings.TrimSpace(e))
		if err != nil {
			return nil, fmt.Errorf("egress rule %q: %v", e, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func parseRule(e string) (Rule, error) {
	if e == "" {
		return Rule{}, errors.New("empty")
	}
	var target, port string
	switch {
	case strings.HasPrefix(e, "["):
		end := strings.Index(e, "]")
		if end < 0 {
			return Rule{}, errors.New("no closing ]")
		}
		target, port = e[1:end], e[end+1:]
		if port != "" {
			if !strings.HasPrefix(port, ":") {
				return Rule{}, errors.New("only :port may follow ]")
			}
			port = port[1:]
			if port == "" {
				return Rule{}, errors.New("empty port")
			}
		}
	case strings.Count(e, ":") > 1:
		target = e // a bare IPv6 address or prefix: no port
	default:
		target = e
		if i := strings.LastIndex(e, ":"); i >= 0 {
			target, port = e[:i], e[i+1:]
			if port == "" {
				return Rule{}, errors.New("empty port")
			}
		}
	}
	var r Rule
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return Rule{}, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		r.Port = uint16(n)
	}
	if strings.Contains(target, "/") {
		p, err := netip.ParsePrefix(target)
		if err != nil {
			return Rule{}, fmt.Errorf("not an address prefix: %v", err)
		}
		if p.Addr().Zone() != "" {
			return Rule{}, errors.New("a zone is not allowed")
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		r.Prefix = p.Masked()
		return r, nil
	}
	if a, err := netip.ParseAddr(target); err == nil {
		if a.Zone() != "" {
			return Rule{}, errors.New("a zone is not allowed")
		}
		a = a.Unmap()
		r.Prefix = netip.PrefixFrom(a, a.BitLen())
		return r, nil
	} else if strings.Contains(target, ":") || looksNumeric(target) {
		return Rule{}, fmt.Errorf("not an address: %v", err)
	}
	h := normalHost(target)
	if len(h) > 253 || !hostRE.MatchString(h) {
		return Rule{}, errors.New("not an address, prefix or DNS name")
	}
	r.Host = h
	return r, nil
}

// looksNumeric: digits and dots only, like a mistyped IPv4 address.
func looksNumeric(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

var closedPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network", unspecified: reaches this host
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // CGNAT
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local (cloud metadata services)
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and broadcast 255.255.255.255
		"::/128",          // unspecified
		"::1/128",         // loopback
		"::/96",           // IPv4-compatible (deprecated)
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001:db8::/32",   // documentation
		"fc00::/7",        // unique local (private)
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// ClosedPrefixes are the ranges Closed refuses, for filters that work on
// ranges (the nftables chains of SHELL and PYTHON jobs); the v4-mapped and
// NAT64 forms need none: the kernel sends those as IPv4.
func ClosedPrefixes() []netip.Prefix { return slices.Clone(closedPrefixes) }

// Closed reports whether a reaches this host or a private network: loopback,
// unspecified, link-local (v4/v6), private (10/8, 172.16/12, 192.168/16,
// fc00::/7), CGNAT 100.64/10, multicast, broadcast, reserved and
// documentation ranges, and the IPv4-mapped and NAT64 (64:ff9b::/96) forms
// of closed IPv4 addresses. An invalid address is closed.
func Closed(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.WithZone("").Unmap()
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		return Closed(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if a.IsLoopback() || a.IsUnspecified() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsPrivate() {
		return true
	}
	for _, p := range closedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Policy is where one tenant's connections may go.
type Policy struct {
	Allow []Rule
	Deny  []netip.AddrPort // jobflow's own store and Temporal addresses: always refused
}

// RefusedError is the error of a refused destination.
type RefusedError struct {
	Host   string         // the name dialled; "" for an address
	Addr   netip.AddrPort // the address it resolved to
	Reason string
}

func (e *RefusedError) Error() string {
	dest := e.Addr.String()
	if e.Host != "" && normalHost(e.Host) != e.Addr.Addr().String() {
		dest = fmt.Sprintf("%s (%s)", net.JoinHostPort(e.Host, strconv.Itoa(int(e.Addr.Port()))), e.Addr)
	}
	return fmt.Sprintf("egress to %s is refused: %s; to open it, a SYS_ADMIN adds %q to the tenant's egressAllow (or to JOBFLOW_EGRESS_ALLOW for every tenant)",
		dest, e.Reason, Rule{Prefix: netip.PrefixFrom(e.Addr.Addr().Unmap(), e.Addr.Addr().Unmap().BitLen()), Port: e.Addr.Port()}.String())
}

// IsRefused reports whether err is (or wraps) a refused destination.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// Check says whether a connection to a (dialled as host, "" for an address)
// is allowed: nil when it is. An address of Deny is refused unless a rule
// names exactly that address and port (not a range, not a host name); a closed address (Closed)
// is refused unless a rule covers it; any other address is allowed. The
// error names the destination and how to open it.
func (p Policy) Check(host string, a netip.AddrPort) error {
	addr := a.Addr().WithZone("").Unmap()
	a = netip.AddrPortFrom(addr, a.Port())
	if host != "" {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	for _, d := range p.Deny {
		if d.Addr().Unmap() == addr && d.Port() == a.Port() {
			for _, r := range p.Allow {
				if r.exact(a) {
					return nil
				}
			}
			return &RefusedError{Host: host, Addr: a, Reason: "it is jobflow's own store or Temporal (only a rule naming this exact address and port opens it, not a range or a host name)"}
		}
	}
	for _, r := range p.Allow {
		if r.matches(host, a) {
			return nil
		}
	}
	if Closed(addr) {
		return &RefusedError{Host: host, Addr: a, Reason: "loopback, private, link-local and other local addresses are closed by default"}
	}
	return nil
}

// DialContext returns a dial function for d (a copy of it is used) that
// connects only where p allows: names are resolved as usual, and every
// address is checked as the socket connects (net.Dialer.ControlContext,
// which runs d's own Control or ControlContext after the check), so each
// attempt (and each redirect of an HTTP client using it) is checked on the
// address it really connects to. Only TCP and UDP are dialled.
func (p Policy) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	base := net.Dialer{}
	if d != nil {
		base = *d
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		switch network {
		case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
		default:
			return nil, fmt.Errorf("egress over %q to %s is refused: only TCP and UDP", network, addr)
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			host = "" // an address: the rules see the address
		}
		dd := base
		inner, innerCtx := base.Control, base.ControlContext
		dd.Control = nil
		dd.ControlContext = func(cctx context.Context, network, address string, c syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("egress: cannot check %q: %v", address, err)
			}
			if err := p.Check(host, ap); err != nil {
				return err
			}
			switch {
			case innerCtx != nil:
				return innerCtx(cctx, network, address, c)
			case inner != nil:
				return inner(network, address, c)
			}
			return nil
		}
		return dd.DialContext(ctx, network, addr)
	}
}

// ForTenant is the policy of one tenant: the installation's rules
// (JOBFLOW_EGRESS_ALLOW) and the tenant's egressAllow entries, with deny
// (jobflow's own store and Temporal) always refused unless named exactly.
func ForTenant(global []Rule, deny []netip.AddrPort, tenantAllow []string) (Policy, error) {
	rules, err := ParseRules(tenantAllow)
	if err != nil {
		return Policy{}, fmt.Errorf("the tenant's egressAllow: %v", err)
	}
	allow := make([]Rule, 0, len(global)+len(rules))
	allow = append(append(allow, global...), rules...)
	return Policy{Allow: allow, Deny: deny}, nil
}

// DenyAddrs are the addresses of hostport ("host:port"), to refuse as a
// Deny entry: the host's addresses as resolved now, and when the host is a
// loopback or unspecified address (a service listening on this host), every
// address of this host's interfaces as well, since a connection to any of
// them reaches the same port.
func DenyAddrs(ctx context.Context, hostport string) ([]netip.AddrPort, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("port of %q: %v", hostport, err)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a.WithZone("").Unmap()}
	} else {
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		for _, a := range ips {
			addrs = append(addrs, a.WithZone("").Unmap())
		}
	}
	local := false
	for _, a := range addrs {
		if a.IsLoopback() || a.IsUnspecified() {
			local = true
		}
	}
	if local {
		addrs = append(addrs, netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback())
		if ifs, err := net.InterfaceAddrs(); err == nil {
			for _, ia := range ifs {
				if p, err := netip.ParsePrefix(ia.String()); err == nil {
					addrs = append(addrs, p.Addr().WithZone("").Unmap())
				}
			}
		}
	}
	seen := map[netip.AddrPort]bool{}
	var out []netip.AddrPort
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, uint16(port))
		if !seen[ap] {
			seen[ap] = true
			out = append(out, ap)
		}
	}
	return out, nil
}

// HTTPClient is a copy of base (a default client when nil) whose every
// connection, redirects included, is dialled by dial, with no proxy from
// the environment (a proxy would connect on the client's behalf, unchecked).
// The returned transport is the copy's own: close its idle connections
// when done.
func HTTPClient(base *http.Client, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (*http.Client, *http.Transport) {
	if base == nil {
		base = &http.Client{}
	}
	c := *base
	var t *http.Transport
	if bt, ok := base.Transport.(*http.Transport); ok && bt != nil {
		t = bt.Clone()
	} else {
		t = http.DefaultTransport.(*http.Transport).Clone()
	}
	t.Proxy = nil
	t.DialContext = dial
	t.DialTLSContext = nil
	c.Transport = t
	return &c, t
}
