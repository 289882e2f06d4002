package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Client addresses (login throttling, audit): the TCP peer's address, unless
// the peer is one of the configured trusted proxies; then X-Forwarded-For
// is read from the right, skipping trusted proxies, and the first address
// that is not one of them is the client. A client that is not a trusted
// proxy cannot choose its address with a header, so it can neither dodge
// its own throttle nor aim one at somebody else's address.

// ParseTrustedProxies parses comma-separated CIDRs and IPs
// (JOBFLOW_TRUSTED_PROXIES); an IP is a single-address prefix.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether addr is a trusted proxy.
func (s *Server) trusted(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peerAddr is the request's TCP peer address.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// peerTrusted reports whether the request came straight from a trusted proxy.
func (s *Server) peerTrusted(r *http.Request) bool {
	a, ok := peerAddr(r)
	return ok && s.trusted(a)
}

// clientIP is Echo's IPExtractor (c.RealIP()).
func (s *Server) clientIP(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	if !s.trusted(peer) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing left of it
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return client.String()
}

// overHTTPS reports whether the client reached jobflow over HTTPS: the
// public URL is https, the request came over TLS, or a trusted proxy says
// X-Forwarded-Proto: https.
func (s *Server) overHTTPS(r *http.Request) bool {
	if strings.HasPrefix(strings.ToLower(s.cfg.PublicURL), "https://") || r.TLS != nil {
		return true
	}
	if !s.peerTrusted(r) {
		return false
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	if i := strings.IndexByte(proto, ','); i >= 0 {
		proto = proto[:i]
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
