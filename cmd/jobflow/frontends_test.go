package main

import (
	"crypto/tls"
	"testing"
)

func TestParseFrontends(t *testing.T) {
	for _, ok := range []string{"t1:7233", "t1:7233,t2:7233", " 127.0.0.1:7233 , 127.0.0.1:7333 ", "dns:///temporal:7233"} {
		if _, err := parseFrontends(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ",", "t1", "t1:7233,t2", "t1:7233,dns:///t2:7233"} {
		if _, err := parseFrontends(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFrontendTarget(t *testing.T) {
	if target, opts := frontendTarget("t1:7233"); target != "t1:7233" || opts != nil {
		t.Errorf("one address: %q %v, want it as it is", target, opts)
	}
	target, opts := frontendTarget("t1:7233, t2:7234")
	if target != "jobflow-frontends:///t1:7233,t2:7234" || len(opts) != 1 {
		t.Errorf("two addresses: %q, %d options", target, len(opts))
	}
	tc := withServerName("t1:7233,t2:7234", &tls.Config{})
	if tc.ServerName != "t1" {
		t.Errorf("server name %q, want the first frontend's host", tc.ServerName)
	}
	if tc := withServerName("t1:7233,t2:7234", &tls.Config{ServerName: "temporal"}); tc.ServerName != "temporal" {
		t.Errorf("a configured server name became %q", tc.ServerName)
	}
}
