package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobflow/license"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

func runCmd(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = run(ctx, append([]string{"jobflow"}, args...), getenv, &out, &errb)
	return out.String(), errb.String(), err
}

func TestRun_Version(t *testing.T) {
	out, _, err := runCmd(t, env(nil), "version")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^jobflow \S+ \(.*go1\.\d+.*\)\n$`).MatchString(out) {
		t.Fatalf("version printed %q", out)
	}
}

func TestRun_ErrUnknownCommand(t *testing.T) {
	_, _, err := runCmd(t, env(nil), "serve")
	if err == nil || !strings.Contains(err.Error(), `unknown command "serve"`) {
		t.Fatalf("err = %v", err)
	}
	_, _, err = runCmd(t, env(nil), "server", "extra")
	if err == nil || !strings.Contains(err.Error(), "takes no arguments") {
		t.Fatalf("err = %v", err)
	}
}

// TestRun_ErrMissingSetting: server mode with no environment stops before
// touching anything and names the first missing setting.
func TestRun_ErrMissingSetting(t *testing.T) {
	for _, mode := range []string{modeServer, modeAPI, modeWorker} {
		_, _, err := runCmd(t, env(nil), mode)
		if err == nil || !strings.Contains(err.Error(), "JOBFLOW_DATABASE_URL: required in "+mode+" mode") {
			t.Errorf("%s: err = %v", mode, err)
		}
	}
	m := serverEnv()
	delete(m, "JOBFLOW_JWT_SECRET")
	if _, _, err := runCmd(t, env(m), modeServer); err == nil || !strings.Contains(err.Error(), "JOBFLOW_JWT_SECRET") {
		t.Errorf("err = %v, want JOBFLOW_JWT_SECRET named", err)
	}
}

func TestRun_Help(t *testing.T) {
	out, _, err := runCmd(t, env(nil), "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"standalone", "migrate", "JOBFLOW_HTTP_ADDR", "JOBFLOW_ENCRYPTION_KEY"} {
		if !strings.Contains(out, name) {
			t.Errorf("help does not mention %s", name)
		}
	}
}

// TestRun_License: a key pair from keygen signs a license with issue that
// the public key verifies.
func TestRun_License(t *testing.T) {
	out, _, err := runCmd(t, env(nil), "license", "keygen")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		keys[k] = v
	}
	pub, priv := keys["JOBFLOW_LICENSE_PUBLIC_KEY"], keys["JOBFLOW_LICENSE_PRIVATE_KEY"]
	if pub == "" || priv == "" {
		t.Fatalf("keygen printed %q", out)
	}
	keyFile := filepath.Join(t.TempDir(), "priv")
	if err := os.WriteFile(keyFile, []byte(priv+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token, _, err := runCmd(t, env(nil), "license", "issue", "-key-file", keyFile,
		"-subject", "ACME", "-max-tenants", "3", "-max-workflows", "50", "-days", "30")
	if err != nil {
		t.Fatal(err)
	}
	lic, err := license.Verify(pub, strings.TrimSpace(token))
	if err != nil {
		t.Fatalf("verify issued license: %v", err)
	}
	if lic.Subject != "ACME" || lic.MaxTenants != 3 || lic.MaxWorkflowsPerTenant != 50 {
		t.Errorf("license = %+v", lic)
	}
	if d := time.Until(lic.ExpiresAt); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("expires in %v, want 30 days", d)
	}
	// The key may come from the environment too.
	if _, _, err := runCmd(t, env(map[string]string{"JOBFLOW_LICENSE_PRIVATE_KEY": priv}),
		"license", "issue", "-subject", "ACME", "-expires", "2099-01-01"); err != nil {
		t.Errorf("issue with the key from the environment: %v", err)
	}

	bad := [][]string{
		{"license", "issue", "-key-file", keyFile, "-days", "30"},                                       // no subject
		{"license", "issue", "-key-file", keyFile, "-subject", "A"},                                     // no expiry
		{"license", "issue", "-key-file", keyFile, "-subject", "A", "-expires", "2001-01-01"},           // past
		{"license", "issue", "-key-file", keyFile, "-subject", "A", "-expires", "soon"},                 // bad date
		{"license", "issue", "-subject", "A", "-days", "1"},                                             // no key
		{"license", "issue", "-key-file", keyFile, "-subject", "A", "-days", "1", "-max-tenants", "-1"}, // negative
		{"license", "frob"},
	}
	for _, args := range bad {
		if out, _, err := runCmd(t, env(nil), args...); err == nil {
			t.Errorf("%q succeeded, printed %q", args, out)
		}
	}
}

// TestSearchAttributeNames: the embedded server and RegisterSearchAttributes
// register exactly the names the workflow code sets.
func TestSearchAttributeNames(t *testing.T) {
	for _, name := range []string{workflows.SATenantID, workflows.SAWorkflowID, workflows.SATrigger} {
		if temporalserver.SearchAttributes[name] != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("%s is not a Keyword search attribute of temporalserver", name)
		}
	}
	if len(temporalserver.SearchAttributes) != 3 {
		t.Errorf("temporalserver registers %d search attributes, workflows uses 3", len(temporalserver.SearchAttributes))
	}
}
