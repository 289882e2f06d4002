package activities

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"jobflow"
	"jobflow/egress"
)

// egressPolicy is where a job of tenantID may connect (docs/security.md): the
// installation's EgressAllow and the tenant's egressAllow (read through the
// tenant cache), EgressDeny always refused unless named exactly.
func (a *Activities) egressPolicy(ctx context.Context, tenantID string) (egress.Policy, error) {
	t, err := a.tenant(ctx, tenantID)
	if err != nil {
		return egress.Policy{}, fmt.Errorf("cannot read the tenant's egressAllow: %v", err)
	}
	var allow []string
	if t != nil {
		allow = t.EgressAllow
	}
	return egress.ForTenant(a.EgressAllow, a.EgressDeny, allow)
}

// tenantDialer dials for tenantID through its egress policy, read at each
// dial (the tenant is cached for tenantUserTTL), so a pool opened before a
// SYS_ADMIN's change obeys the new rules on its next connection.
func (a *Activities) tenantDialer(tenantID string) DialFunc {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		p, err := a.egressPolicy(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		return p.DialContext(d)(ctx, network, addr)
	}
}

// egressHTTPClient is the client of one HTTP job of tenantID: HTTPClient
// (or a default client) whose every connection, redirects included, is
// dialled through the tenant's egress policy, with no proxy from the
// environment. close releases its idle connections.
func (a *Activities) egressHTTPClient(tenantID string) (client *http.Client, close func()) {
	c, t := egress.HTTPClient(a.HTTPClient, a.tenantDialer(tenantID))
	return c, t.CloseIdleConnections
}

// errText is err's message: a jobflow error's own message, else err's text.
func errText(err error) string {
	var e *jobflow.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
