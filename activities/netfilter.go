package activities

import (
	"bytes"
	"context"
	"net"
	"slices"

	"encoding/json"
	"fmt"
	"jobflow/egress"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Egress of SHELL and PYTHON jobs (docs/security.md) is filtered by
// nftables on the job's uid: every tenant user has a chain of its own in
// the table inet jobflow_egress, reached from the output hook through a
// verdict map. The chain accepts the machine's DNS servers on port 53 and
// what the tenant's egressAllow (and JOBFLOW_EGRESS_ALLOW) names, and
// refuses jobflow's own store and Temporal addresses, loopback, link-local
// and private ranges, noting each refused destination in a set the worker
// reads back to name it in a failed job's error (update, not add: a
// destination refused again gets a fresh timeout, which dates it). A chain is replaced in one
// nft transaction, and the map entry exists before the user's first job
// starts, so there is no moment a job runs unfiltered; workers on one
// machine write the same chains. Without nft a sandboxed job gets a network
// namespace of its own with only a loopback: no egress at all.

const nftTable = "jobflow_egress"

// refusedTimeout is how long a refused destination stays in the set.
const refusedTimeout = 10 * time.Minute

// netRule is one destination a chain accepts (port 0: any).
type netRule struct {
	prefix netip.Prefix
	port   uint16
}

// netPolicy is what one tenant user's chain says.
type netPolicy struct {
	allow  []netRule
	deny   []netip.AddrPort // refused whatever allow says
	closed []netip.Prefix   // refused unless allowed
	dns    []netip.Addr     // accepted on port 53
}

var nftPath = sync.OnceValue(func() string {
	for _, p := range []string{"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	p, _ := exec.LookPath("nft")
	return p
})

// netfilter keeps the chains this worker wrote, so a job start costs an
// nft call only when its tenant's policy changed.
var netfilter struct {
	sync.Mutex
	base    bool
	written map[int]string // uid -> the chain's rules as last written
}

// applyEgress makes sure uid's chain says p; an error when nftables is
// missing or refuses (then the caller closes the job's network instead).
func applyEgress(uid int, p netPolicy) error {
	if nftPath() == "" {
		return fmt.Errorf("nftables (nft) is not installed")
	}
	rules := chainRules(uid, p)
	netfilter.Lock()
	defer netfilter.Unlock()
	if netfilter.written[uid] == rules {
		return nil
	}
	var script strings.Builder
	if !netfilter.base {
		fmt.Fprintf(&script, "add table inet %[1]s\n"+
			"add map inet %[1]s uids { typeof meta skuid : verdict; }\n"+
			"add set inet %[1]s refused4 { typeof meta skuid . ip daddr . th dport; flags dynamic,timeout; timeout %[2]ds; size 65536; }\n"+
			"add set inet %[1]s refused6 { typeof meta skuid . ip6 daddr . th dport; flags dynamic,timeout; timeout %[2]ds; size 65536; }\n"+
			"add chain inet %[1]s output { type filter hook output priority 0; policy accept; }\n"+
			"flush chain inet %[1]s output\n"+
			"add rule inet %[1]s output meta skuid vmap @uids\n", nftTable, int(refusedTimeout.Seconds()))
	}
	chain := "u" + strconv.Itoa(uid)
	fmt.Fprintf(&script, "add chain inet %s %s\nflush chain inet %s %s\n", nftTable, chain, nftTable, chain)
	for _, r := range strings.Split(rules, "\n") {
		if r != "" {
			fmt.Fprintf(&script, "add rule inet %s %s %s\n", nftTable, chain, r)
		}
	}
	fmt.Fprintf(&script, "add element inet %s uids { %d : jump %s }\n", nftTable, uid, chain)
	cmd := exec.Command(nftPath(), "-f", "-")
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft: %v: %s", err, bytes.TrimSpace(out))
	}
	netfilter.base = true
	if netfilter.written == nil {
		netfilter.written = map[int]string{}
	}
	netfilter.written[uid] = rules
	return nil
}

// chainRules are the rules of uid's chain, one a line, in order.
func chainRules(uid int, p netPolicy) string {
	var b strings.Builder
	match := func(a netip.Prefix, port uint16) string {
		fam := "ip"
		if a.Addr().Is6() {
			fam = "ip6"
		}
		m := fmt.Sprintf("%s daddr %s", fam, a.Masked())
		if port != 0 {
			m += fmt.Sprintf(" meta l4proto { tcp, udp } th dport %d", port)
		}
		return m
	}
	refuse := func(m string, v6 bool) {
		set := "refused4 { meta skuid . ip daddr . th dport }"
		if v6 {
			set = "refused6 { meta skuid . ip6 daddr . th dport }"
		}
		if !strings.Contains(m, "th dport") {
			fmt.Fprintf(&b, "%s meta l4proto { tcp, udp } update @%s reject\n", m, set)
		} else {
			fmt.Fprintf(&b, "%s update @%s reject\n", m, set)
		}
		fmt.Fprintf(&b, "%s reject\n", m)
	}
	for _, d := range p.deny {
		refuse(match(netip.PrefixFrom(d.Addr(), d.Addr().BitLen()), d.Port()), d.Addr().Is6())
	}
	for _, a := range p.dns {
		fmt.Fprintf(&b, "%s accept\n", match(netip.PrefixFrom(a, a.BitLen()), 53))
	}
	for _, r := range p.allow {
		fmt.Fprintf(&b, "%s accept\n", match(r.prefix, r.port))
	}
	for _, c := range p.closed {
		refuse(match(c, 0), c.Addr().Is6())
	}
	return b.String()
}

// refusedSince lists the destinations refused to uid in the last d, from
// the sets the chains fill ("host:port", sorted).
func refusedSince(uid int, d time.Duration) []string {
	if nftPath() == "" {
		return nil
	}
	var found []string
	for _, set := range []string{"refused4", "refused6"} {
		out, err := exec.Command(nftPath(), "-j", "list", "set", "inet", nftTable, set).Output()
		if err != nil {
			continue
		}
		var doc struct {
			Nftables []struct {
				Set *struct {
					Elem []struct {
						Elem struct {
							Val struct {
								Concat []any `json:"concat"`
							} `json:"val"`
							Expires float64 `json:"expires"`
						} `json:"elem"`
					} `json:"elem"`
				} `json:"set"`
			} `json:"nftables"`
		}
		if json.Unmarshal(out, &doc) != nil {
			continue
		}
		for _, n := range doc.Nftables {
			if n.Set == nil {
				continue
			}
			for _, e := range n.Set.Elem {
				c := e.Elem.Val.Concat
				if len(c) != 3 || toInt(c[0]) != uid {
					continue
				}
				// An element added d ago expires refusedTimeout after that.
				if age := refusedTimeout.Seconds() - e.Elem.Expires; age > d.Seconds()+1 {
					continue
				}
				addr, err := netip.ParseAddr(fmt.Sprint(c[1]))
				if err != nil {
					continue
				}
				found = append(found, netip.AddrPortFrom(addr, uint16(toInt(c[2]))).String())
			}
		}
	}
	sort.Strings(found)
	return found
}

func toInt(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	n, _ := strconv.Atoi(fmt.Sprint(v))
	return n
}

// resolvConfServers are the name servers of /etc/resolv.conf, which jobs
// may always ask on port 53.
func resolvConfServers() []netip.Addr {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil {
				out = append(out, a.Unmap())
			}
		}
	}
	return out
}

// jobNetPolicy is the nftables form of a tenant's egress policy. Host
// names of allow rules are resolved now (a chain is rewritten when a job
// starts and the answer changed). A deny address that a rule names
// exactly is opened, as egress.Policy.Check does.
func jobNetPolicy(ctx context.Context, p egress.Policy) netPolicy {
	np := netPolicy{closed: egress.ClosedPrefixes(), dns: resolvConfServers()}
	var exact []netip.AddrPort
	for _, r := range p.Allow {
		prefixes := []netip.Prefix{r.Prefix}
		if r.Host != "" {
			prefixes = nil
			lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			ips, _ := net.DefaultResolver.LookupNetIP(lctx, "ip", r.Host)
			cancel()
			for _, ip := range ips {
				ip = ip.Unmap()
				prefixes = append(prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			}
		}
		for _, pf := range prefixes {
			np.allow = append(np.allow, netRule{prefix: pf, port: r.Port})
			if pf.IsSingleIP() && r.Port != 0 {
				exact = append(exact, netip.AddrPortFrom(pf.Addr(), r.Port))
			}
		}
	}
	for _, d := range p.Deny {
		if !slices.Contains(exact, netip.AddrPortFrom(d.Addr().Unmap(), d.Port())) {
			np.deny = append(np.deny, netip.AddrPortFrom(d.Addr().Unmap(), d.Port()))
		}
	}
	return np
}

// jobNetwork sets up the egress filter of a job of u and reports whether
// the job must run without a network (nftables unusable, inside bwrap).
func (a *Activities) jobNetwork(ctx context.Context, tenantID string, u osUser, jail bool, log *nodeLog) (noNet bool, err error) {
	if u.uid < 0 {
		return false, nil
	}
	pol, err := a.egressPolicy(ctx, tenantID)
	if err != nil {
		return false, configErrorf("%v", err)
	}
	if err := applyEgress(u.uid, jobNetPolicy(ctx, pol)); err != nil {
		if jail {
			log.Printf("egress cannot be filtered (%v): the job runs without a network", err)
			return true, nil
		}
		log.Printf("egress cannot be filtered (%v): the job's network is open", err)
	}
	return false, nil
}

// refusedNote names the destinations refused to u since start, "" when none.
func refusedNote(u osUser, start time.Time) string {
	if u.uid < 0 {
		return ""
	}
	dests := refusedSince(u.uid, time.Since(start))
	if len(dests) == 0 {
		return ""
	}
	return fmt.Sprintf("egress to %s was refused: loopback, private, link-local addresses and jobflow's own store and Temporal are closed; to open a destination, a SYS_ADMIN adds it to the tenant's egressAllow (or JOBFLOW_EGRESS_ALLOW for every tenant)", strings.Join(dests, ", "))
}
