package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/store/storetest"
)

const (
	addrA = "203.0.113.5"  // the attacker
	addrB = "198.51.100.7" // the real admin, elsewhere
)

// trustProxies makes the test server's peer (loopback) a trusted proxy or,
// with other prefixes, trusts only those.
func trustProxies(prefixes ...string) option {
	return func(cfg *httpapi.Config) {
		p, err := httpapi.ParseTrustedProxies(strings.Join(prefixes, ","))
		if err != nil {
			panic(err)
		}
		cfg.TrustedProxies = p
	}
}

// loginVia logs in with extra headers (X-Forwarded-For, X-Forwarded-Proto).
func loginVia(e *env, client *http.Client, url string, headers map[string]string, account, password string) resp {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"account": account, "password": password})
	req, err := http.NewRequest("POST", url+"/api/v1/auth/login", strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: body}
}

func loginFrom(e *env, xff, account, password string) resp {
	e.t.Helper()
	h := map[string]string{}
	if xff != "" {
		h["X-Forwarded-For"] = xff
	}
	return loginVia(e, http.DefaultClient, e.srv.URL, h, account, password)
}

func throttles(e *env, token string) []jobflow.LoginThrottle {
	e.t.Helper()
	var l struct {
		Items []jobflow.LoginThrottle `json:"items"`
		Total int                     `json:"total"`
	}
	e.ok(e.do("GET", "/api/v1/login-throttles", token, "", nil), 200, &l)
	if l.Total != len(l.Items) {
		e.t.Fatalf("total %d with %d items", l.Total, len(l.Items))
	}
	return l.Items
}

func findThrottle(list []jobflow.LoginThrottle, kind jobflow.LoginThrottleKind, account, address string) *jobflow.LoginThrottle {
	for i := range list {
		if list[i].Kind == kind && list[i].Account == account && list[i].Address == address {
			return &list[i]
		}
	}
	return nil
}

// TestLogin_LockoutCannotBeAimed: an attacker at address A (behind the
// trusted proxy) sends 12 wrong passwords for admin: A gets 429 with
// Retry-After, even with the right password, while the right password from
// address B, and from the proxy itself, logs in. The attacker's own spoofed
// X-Forwarded-For hop to the left of the proxy's does not move the count.
// A SYS_ADMIN sees the throttle and clears it, after which A logs in; a
// non-admin gets 403 on both throttle routes and clears nothing.
func TestLogin_LockoutCannotBeAimed(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		statuses := map[int]int{}
		for i := 0; i < 12; i++ {
			xff := addrA
			if i%2 == 1 {
				xff = addrB + ", " + addrA // a forged hop left of what the proxy saw
			}
			r := loginFrom(e, xff, "admin", "wrong-password")
			statuses[r.status]++
			if r.status == 429 {
				if e.fail(r, 429, jobflow.ETOOMANY); r.header.Get("Retry-After") == "" {
					t.Fatalf("429 without Retry-After: %v", r.header)
				}
			}
		}
		if statuses[401] != 5 || statuses[429] != 7 {
			t.Fatalf("statuses %v, want 5×401 then 7×429", statuses)
		}
		e.fail(loginFrom(e, addrA, "admin", adminPassword), 429, jobflow.ETOOMANY)
		e.ok(loginFrom(e, addrB, "admin", adminPassword), 200, nil)
		e.ok(loginFrom(e, "", "admin", adminPassword), 200, nil)
		e.fail(loginFrom(e, addrA, "admin", adminPassword), 429, jobflow.ETOOMANY)

		list := throttles(e, e.admin)
		pair := findThrottle(list, jobflow.ThrottlePair, "admin", addrA)
		if pair == nil || pair.Failures != 5 || pair.BlockedUntil == nil {
			t.Fatalf("throttles %+v: want PAIR admin@%s with 5 failures, blocked", list, addrA)
		}
		if a := findThrottle(list, jobflow.ThrottleAddress, "", addrA); a == nil || a.Failures != 5 || a.BlockedUntil != nil {
			t.Fatalf("throttles %+v: want ADDR %s with 5 failures, not blocked", list, addrA)
		}
		for _, th := range list {
			if th.Address != addrA {
				t.Fatalf("a throttle on %s: %+v (only %s failed)", th.Address, th, addrA)
			}
		}

		_, memberTok := e.user("li.si", jobflow.RoleTenantAdmin)
		e.fail(e.do("GET", "/api/v1/login-throttles", memberTok, "", nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("DELETE", "/api/v1/login-throttles", memberTok, "", nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("DELETE", "/api/v1/login-throttles?account=admin&address="+addrA, memberTok, "", nil), 403, jobflow.EFORBIDDEN)
		if after := throttles(e, e.admin); len(after) != len(list) {
			t.Fatalf("a non-admin's delete changed the throttles: %+v", after)
		}
		e.fail(loginFrom(e, addrA, "admin", adminPassword), 429, jobflow.ETOOMANY)
		e.fail(e.do("DELETE", "/api/v1/login-throttles?address=not-an-ip", e.admin, "", nil), 400, jobflow.EINVALID)

		var cleared struct{ Cleared int }
		e.ok(e.do("DELETE", "/api/v1/login-throttles?account=admin&address="+addrA, e.admin, "", nil), 200, &cleared)
		if cleared.Cleared != 2 {
			t.Fatalf("cleared %d, want 2 (the pair and the address)", cleared.Cleared)
		}
		if after := throttles(e, e.admin); len(after) != 0 {
			t.Fatalf("throttles after the clear: %+v", after)
		}
		e.ok(loginFrom(e, addrA, "admin", adminPassword), 200, nil)

		// DELETE without a query clears everything.
		for i := 0; i < 6; i++ {
			loginFrom(e, addrB, "li.si", "wrong-password")
		}
		e.fail(loginFrom(e, addrB, "li.si", "password-li.si"), 429, jobflow.ETOOMANY)
		e.ok(e.do("DELETE", "/api/v1/login-throttles", e.admin, "", nil), 200, &cleared)
		if cleared.Cleared != 2 || len(throttles(e, e.admin)) != 0 {
			t.Fatalf("clear all: cleared %d", cleared.Cleared)
		}
		e.ok(loginFrom(e, addrB, "li.si", "password-li.si"), 200, nil)
	}, trustProxies("127.0.0.1", "::1"))
}

// TestLogin_ForwardedForFromUntrustedPeer: when the peer is not a trusted
// proxy, X-Forwarded-For is ignored: a guesser rotating the header is still
// throttled on its real address, and cannot make a throttle land on
// another address.
func TestLogin_ForwardedForFromUntrustedPeer(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.user("wang.wu", jobflow.RoleMember)
		statuses := map[int]int{}
		for i := 0; i < 8; i++ {
			xff := []string{addrA, addrB, "192.0.2." + string(rune('1'+i))}[i%3]
			statuses[loginFrom(e, xff, "wang.wu", "wrong-password").status]++
		}
		if statuses[401] != 5 || statuses[429] != 3 {
			t.Fatalf("statuses %v, want 5×401 then 3×429: the forged header dodged the throttle", statuses)
		}
		list := throttles(e, e.admin)
		if len(list) != 2 {
			t.Fatalf("throttles %+v, want the pair and the address of the real peer", list)
		}
		for _, th := range list {
			if a, err := netip.ParseAddr(th.Address); err != nil || !a.IsLoopback() {
				t.Fatalf("a throttle on %q, not on the real peer: %+v", th.Address, list)
			}
		}
	}, trustProxies("10.0.0.0/8"))
}

func tokenCookie(r resp) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == httpapi.TokenCookie {
			return c
		}
	}
	return nil
}

// TestLoginCookie_Secure: the jobflow_token cookie is Secure when jobflow
// is served over HTTPS (https public URL, TLS, X-Forwarded-Proto: https from
// a trusted proxy) and not on plain http or when an untrusted peer claims
// https.
func TestLoginCookie_Secure(t *testing.T) {
	testtier.Parallel(t)
	login := func(e *env, client *http.Client, url string, h map[string]string) *http.Cookie {
		e.t.Helper()
		r := loginVia(e, client, url, h, "admin", adminPassword)
		e.ok(r, 200, nil)
		c := tokenCookie(r)
		if c == nil {
			e.t.Fatalf("no %s cookie: %v", httpapi.TokenCookie, r.header)
		}
		return c
	}
	https := map[string]string{"X-Forwarded-Proto": "https"}
	for _, tc := range []struct {
		name   string
		opts   []option
		h      map[string]string
		tls    bool
		secure bool
	}{
		{"plain http", nil, nil, false, false},
		{"http public URL", []option{func(c *httpapi.Config) { c.PublicURL = "http://jobflow.example" }}, nil, false, false},
		{"https public URL", []option{func(c *httpapi.Config) { c.PublicURL = "https://jobflow.example" }}, nil, false, true},
		{"proto from trusted proxy", []option{trustProxies("127.0.0.1", "::1")}, https, false, true},
		{"proto http from trusted proxy", []option{trustProxies("127.0.0.1", "::1")}, map[string]string{"X-Forwarded-Proto": "http"}, false, false},
		{"proto from untrusted peer", []option{trustProxies("10.0.0.0/8")}, https, false, false},
		{"TLS", nil, nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, "sqlite"), tc.opts...)
			client, url := http.DefaultClient, e.srv.URL
			if tc.tls {
				srv := httptest.NewUnstartedServer(e.api.Handler())
				srv.StartTLS()
				t.Cleanup(srv.Close)
				client, url = srv.Client(), srv.URL
			}
			if c := login(e, client, url, tc.h); c.Secure != tc.secure {
				t.Fatalf("cookie Secure = %v, want %v", c.Secure, tc.secure)
			}
		})
	}
}

// TestLogin_ThrottleSharedAcrossProcesses: two API servers on one store
// (two api processes) share the counts: concurrent wrong passwords spread
// over both are each counted once (the PAIR's failures equal the 401s),
// and the block they earn holds on both servers.
func TestLogin_ThrottleSharedAcrossProcesses(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.user("wang.wu", jobflow.RoleMember)
		second := newServer(t, httpapi.New(httpapi.Config{JWTSecret: testSecret}, httpapi.NewDeps(e.st)))
		urls := []string{e.srv.URL, second.URL}
		const n = 10
		codes := make(chan int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(url string) {
				defer wg.Done()
				b := strings.NewReader(`{"account":"wang.wu","password":"wrong-password"}`)
				res, err := http.Post(url+"/api/v1/auth/login", "application/json", b)
				if err != nil {
					codes <- 0
					return
				}
				res.Body.Close()
				codes <- res.StatusCode
			}(urls[i%2])
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[401]+got[429] != n || got[401] < 5 {
			t.Fatalf("statuses %v, want only 401 and 429, at least 5×401", got)
		}
		var pair *jobflow.LoginThrottle
		for _, th := range throttles(e, e.admin) {
			if th.Kind == jobflow.ThrottlePair && th.Account == "wang.wu" {
				pair = &th
			}
		}
		if pair == nil || pair.Failures != got[401] || pair.BlockedUntil == nil {
			t.Fatalf("pair %+v, want %d failures (one per 401) and a block", pair, got[401])
		}
		for _, url := range urls {
			r := loginVia(e, http.DefaultClient, url, nil, "wang.wu", "password-wang.wu")
			e.fail(r, 429, jobflow.ETOOMANY)
		}
	})
}

// TestLogin_LongAccountCounted: a long account of multi-byte characters is
// a plain 401 and counted (its key is cut on a rune boundary, which
// PostgreSQL's UTF-8 accepts), not a 500.
func TestLogin_LongAccountCounted(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		long := "a" + strings.Repeat("用户", 150)
		e.fail(loginAs(e, long, "wrong-password"), 401, jobflow.EUNAUTHORIZED)
		found := false
		for _, th := range throttles(e, e.admin) {
			if th.Kind == jobflow.ThrottlePair && strings.HasPrefix(long, th.Account) && len(th.Account) <= 200 && len(th.Account) > 190 {
				found = true
			}
		}
		if !found {
			t.Fatalf("no pair throttle with the cut account: %+v", throttles(e, e.admin))
		}
	})
}
