package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"jobflow"
	"jobflow/license"
)

// runLicense is `jobflow license keygen` and `jobflow license issue`, the
// vendor's side of licensing: make a key pair, sign licenses with it.
func runLicense(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("license: say keygen or issue (jobflow license issue -h for the flags)")
	}
	switch args[0] {
	case "keygen":
		if len(args) > 1 {
			return errors.New("license keygen takes no arguments")
		}
		pub, priv, err := license.Keygen()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "JOBFLOW_LICENSE_PUBLIC_KEY=%s\nJOBFLOW_LICENSE_PRIVATE_KEY=%s\n", pub, priv)
		fmt.Fprintln(stderr, "Give the public key to installations; keep the private key secret, it signs licenses.")
		return nil
	case "issue":
		return issueLicense(args[1:], getenv, stdout, stderr)
	default:
		return fmt.Errorf("license: unknown command %q: say keygen or issue", args[0])
	}
}

func issueLicense(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jobflow license issue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key-file", "", "file holding the base64 private key (default: $JOBFLOW_LICENSE_PRIVATE_KEY)")
	subject := fs.String("subject", "", "who the license is for (required)")
	maxTenants := fs.Int("max-tenants", 0, "most tenants the installation may hold (0: no limit)")
	maxWorkflows := fs.Int("max-workflows", 0, "most workflows per tenant (0: no limit)")
	expires := fs.String("expires", "", "expiry date YYYY-MM-DD (UTC) or RFC 3339 time (required unless -days)")
	days := fs.Int("days", 0, "valid for this many days from now (instead of -expires)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("license issue: unexpected argument %q", fs.Arg(0))
	}
	if strings.TrimSpace(*subject) == "" {
		return errors.New("license issue: -subject is required")
	}

	var expiry time.Time
	switch {
	case *expires != "" && *days != 0:
		return errors.New("license issue: give -expires or -days, not both")
	case *days > 0:
		expiry = time.Now().UTC().AddDate(0, 0, *days)
	case *expires != "":
		var err error
		if expiry, err = time.Parse(time.DateOnly, *expires); err != nil {
			if expiry, err = time.Parse(time.RFC3339, *expires); err != nil {
				return fmt.Errorf("license issue: -expires %q: use YYYY-MM-DD or an RFC 3339 time", *expires)
			}
		}
	default:
		return errors.New("license issue: -expires or -days is required")
	}
	if !expiry.After(time.Now()) {
		return fmt.Errorf("license issue: expiry %s is in the past", expiry.Format(time.RFC3339))
	}

	priv := getenv("JOBFLOW_LICENSE_PRIVATE_KEY")
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("license issue: %w", err)
		}
		priv = string(b)
	}
	if strings.TrimSpace(priv) == "" {
		return errors.New("license issue: no private key: use -key-file or set JOBFLOW_LICENSE_PRIVATE_KEY")
	}
	token, err := license.Issue(strings.TrimSpace(priv), jobflow.License{
		Subject:               *subject,
		MaxTenants:            *maxTenants,
		MaxWorkflowsPerTenant: *maxWorkflows,
		ExpiresAt:             expiry,
	})
	if err != nil {
		return fmt.Errorf("license issue: %w", err)
	}
	fmt.Fprintln(stdout, token)
	return nil
}
