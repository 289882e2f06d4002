package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
)

// JOBFLOW_TEMPORAL_ADDRESS may name several frontends of one Temporal
// cluster, comma-separated ("t1:7233,t2:7233"). The client then has all of
// them as addresses of one gRPC channel and spreads its calls over those
// that answer (the SDK's round_robin policy), so a jobflow process goes on
// when one Temporal node dies, without a load balancer in front. One
// address is dialled as it is (a DNS name with several records already
// gets the same from gRPC's dns resolver: dns:///name:7233).

// frontendsScheme is the gRPC target scheme of a list of frontends.
const frontendsScheme = "jobflow-frontends"

// parseFrontends splits and checks JOBFLOW_TEMPORAL_ADDRESS.
func parseFrontends(v string) ([]string, error) {
	addrs := splitList(v)
	if len(addrs) == 0 {
		return nil, &settingError{"JOBFLOW_TEMPORAL_ADDRESS", fmt.Sprintf("%q is not host:port", v)}
	}
	for _, a := range addrs {
		// A target with a scheme (dns:///h:p) stands alone.
		if len(addrs) == 1 && strings.Contains(a, ":///") {
			break
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, &settingError{"JOBFLOW_TEMPORAL_ADDRESS", fmt.Sprintf("%q is not host:port (several frontends: host:port,host:port)", a)}
		}
	}
	return addrs, nil
}

// frontendTarget is the SDK's HostPort for addr and the dial options that
// resolve it.
func frontendTarget(addr string) (string, []grpc.DialOption) {
	addrs := splitList(addr)
	if len(addrs) < 2 {
		return addr, nil
	}
	b := &staticResolver{}
	for _, a := range addrs {
		b.state.Addresses = append(b.state.Addresses, resolver.Address{Addr: a})
	}
	return frontendsScheme + ":///" + strings.Join(addrs, ","), []grpc.DialOption{grpc.WithResolvers(b)}
}

// withServerName gives tc the first frontend's host as the name to verify
// when addr lists several: the target's authority is then no host name.
// The frontends of one cluster share a certificate (or set
// JOBFLOW_TEMPORAL_TLS_SERVER_NAME to the name they share).
func withServerName(addr string, tc *tls.Config) *tls.Config {
	if addrs := splitList(addr); len(addrs) > 1 && tc.ServerName == "" {
		tc = tc.Clone()
		tc.ServerName, _, _ = net.SplitHostPort(addrs[0])
	}
	return tc
}

// firstFrontend is the address the TLS probes dial.
func firstFrontend(addr string) string {
	if addrs := splitList(addr); len(addrs) > 0 {
		return addrs[0]
	}
	return addr
}

// staticResolver hands gRPC a fixed list of addresses; gRPC's own
// reconnect and round_robin do the rest. It is its own builder and is
// built again when the channel leaves idle mode.
type staticResolver struct {
	state resolver.State
}

func (b *staticResolver) Build(_ resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	if err := cc.UpdateState(b.state); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *staticResolver) Scheme() string                        { return frontendsScheme }
func (b *staticResolver) ResolveNow(resolver.ResolveNowOptions) {}
func (b *staticResolver) Close()                                {}
