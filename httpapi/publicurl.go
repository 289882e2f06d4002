package httpapi

import (
	"net/http"
	"strings"
)

// publicBase is the base URL links handed to a caller are built on (the
// invoke curl, the Temporal Web UI link): JOBFLOW_PUBLIC_URL when it is
// set, else the scheme and host the caller reached us at. Behind a proxy,
// X-Forwarded-Proto and X-Forwarded-Host count only from a peer in
// JOBFLOW_TRUSTED_PROXIES (the same rule as the client address), so a
// client cannot make the answer point somewhere else. A host that is not a
// plain host[:port] falls back to defaultPublicURL.
func (s *Server) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if s.overHTTPS(r) {
		scheme = "https"
	}
	host := r.Host
	if s.peerTrusted(r) {
		fh, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
		if fh = strings.TrimSpace(fh); fh != "" {
			host = fh
		}
	}
	if !plainHost(host) {
		return defaultPublicURL
	}
	return scheme + "://" + host
}

// plainHost reports whether h is a host name or address with an optional
// port and nothing else (no path, user info, spaces or quotes).
func plainHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']':
		default:
			return false
		}
	}
	return true
}

// absoluteURL makes a link that is a path ("/temporal/…": the Temporal
// Web UI served through jobflow when JOBFLOW_PUBLIC_URL is unset) absolute
// on the request's public base; other links are returned as they are.
func (s *Server) absoluteURL(r *http.Request, link string) string {
	if strings.HasPrefix(link, "/") {
		return s.publicBase(r) + link
	}
	return link
}
