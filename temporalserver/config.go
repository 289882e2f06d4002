package temporalserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
)

const (
	loopback        = "127.0.0.1"
	clusterName     = "active"
	defaultFrontend = 7233
)

// ports are the gRPC ports of the Temporal services, all on loopback. The
// internal frontend is the one the system worker (schedules, batch
// operations) uses: it trusts the internode certificate instead of the API
// key.
type ports struct {
	frontend, internalFrontend, history, matching, worker int
}

// pickPorts chooses the services' ports. The frontend gets the configured
// port; without one, Temporal's usual 7233 when it is free, so that the
// temporal CLI finds the embedded server without flags, else any free port.
// The internal services always take free ports.
func pickPorts(frontend int) (ports, error) {
	var p ports
	var err error
	switch {
	case frontend > 0:
		p.frontend = frontend
	case portFree(defaultFrontend):
		p.frontend = defaultFrontend
	default:
		if p.frontend, err = freePort(); err != nil {
			return p, err
		}
	}
	for _, dst := range []*int{&p.internalFrontend, &p.history, &p.matching, &p.worker} {
		if *dst, err = freePort(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// freePort finds a free loopback port for a service. It is picked below
// the kernel's ephemeral range: outgoing connections and ":0" listeners
// get their ports from that range, so on a busy host one of them could
// take a port from it between this check and the server's bind, and the
// Temporal server ends the process when a listener fails. Without room
// below the range, any free port the kernel gives.
func freePort() (int, error) {
	const floor = 10000
	if lo := ephemeralLow(); lo-floor >= 1000 {
		for i := 0; i < 100; i++ {
			if port := floor + rand.IntN(lo-floor); portFree(port) {
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux;
// elsewhere the IANA range's start).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				return n
			}
		}
	}
	return 49152
}

// checkPorts makes sure every port can still be bound just before the
// server starts: the Temporal server ends the process (log.Fatal) when a
// listener fails, so a port taken in the meantime must be found here.
func checkPorts(p ports) error {
	for _, port := range []int{p.frontend, p.internalFrontend, p.history, p.matching, p.worker} {
		l, err := net.Listen("tcp", hostPort(port))
		if err != nil {
			return fmt.Errorf("temporal server port: %w", err)
		}
		l.Close()
	}
	return nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func hostPort(port int) string { return net.JoinHostPort(loopback, strconv.Itoa(port)) }

// serverConfig is the whole static configuration of the embedded server,
// built in code: one node, one history shard, SQLite for both the default and
// the visibility store, no archival, no metrics listener, no pprof.
//
// Every service listens on loopback, where any local process (a job, too)
// can dial it. The internal services and the internal frontend therefore
// take only mutual TLS with the node certificate of this start; the
// frontend serves TLS with the same certificate and answers only callers
// with jobflow's API key (keyClaimMapper).
func serverConfig(dbPath, visPath string, p ports, certs *pki) *config.Config {
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: loopback}}
	}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{BroadcastAddress: loopback},
			TLS:        tlsConfig(certs),
		},
		Persistence: config.Persistence{
			DefaultStore:    defaultStore,
			VisibilityStore: visibilityStore,
			// One shard: a single node on a small machine with one SQLite
			// writer gains nothing from more.
			NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{
				defaultStore:    {SQL: sqlConfig(dbPath)},
				visibilityStore: {SQL: sqlConfig(visPath)},
			},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             hostPort(p.frontend),
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			string(primitives.FrontendService):         service(p.frontend),
			string(primitives.InternalFrontendService): service(p.internalFrontend),
			string(primitives.HistoryService):          service(p.history),
			string(primitives.MatchingService):         service(p.matching),
			string(primitives.WorkerService):           service(p.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// No PublicClient address: with an internal-frontend service
		// configured, the system worker dials that one, over internode TLS
		// (common/resource getFrontendConnectionDetails).
	}
}

// tlsConfig is internode mTLS (servers demand a certificate of the CA,
// clients verify the server's) and server-side TLS on the frontend.
func tlsConfig(certs *pki) config.RootTLS {
	ca := []string{b64(certs.caPEM)}
	client := config.ClientTLS{ServerName: serverName, RootCAData: ca}
	return config.RootTLS{
		Internode: config.GroupTLS{
			Server: config.ServerTLS{
				CertData:          b64(certs.certPEM),
				KeyData:           b64(certs.keyPEM),
				ClientCAData:      ca,
				RequireClientAuth: true,
			},
			Client: client,
		},
		Frontend: config.GroupTLS{
			Server: config.ServerTLS{CertData: b64(certs.certPEM), KeyData: b64(certs.keyPEM)},
			Client: client,
		},
	}
}

// staticHosts replaces ringpop membership: every service runs in this
// process at a known address, so there is nothing to discover and no
// membership ports to open.
func staticHosts(p ports) map[primitives.ServiceName]static.Hosts {
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService:         static.SingleLocalHost(hostPort(p.frontend)),
		primitives.InternalFrontendService: static.SingleLocalHost(hostPort(p.internalFrontend)),
		primitives.HistoryService:          static.SingleLocalHost(hostPort(p.history)),
		primitives.MatchingService:         static.SingleLocalHost(hostPort(p.matching)),
		primitives.WorkerService:           static.SingleLocalHost(hostPort(p.worker)),
	}
}

// dynamicConfig holds the runtime settings that differ from Temporal's
// defaults, chosen for one node on a small machine.
func dynamicConfig(queuePollRPS int) dynamicconfig.StaticClient {
	v := func(x any) []dynamicconfig.ConstrainedValue {
		return []dynamicconfig.ConstrainedValue{{Value: x}}
	}
	dc := dynamicconfig.StaticClient{
		// One partition per task queue: with a single matching node,
		// partitions only spread pollers thin and add latency.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  v(1),
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): v(1),
		// Many published workflows may fire in the same minute; the
		// default (30/s per namespace) would make the later ones late.
		dynamicconfig.SchedulerNamespaceStartWorkflowRPS.Key(): v(200.0),
	}
	AddQueueSettings(dc, queuePollRPS)
	AddFairness(dc)
	return dc
}
