package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/license"
)

type licenseView struct {
	Installed           bool
	Expired             bool
	PublicKeyConfigured bool
	License             *jobflow.License
}

func TestLicense(t *testing.T) {
	testtier.Parallel(t)
	pub, priv, err := license.Keygen()
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := license.ParsePublicKey(pub)
	issue := func(l jobflow.License) string {
		tok, err := license.Issue(priv, l)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	withKey := func(c *httpapi.Config) { c.LicensePublicKey = pk }

	t.Run("NoPublicKey", func(t *testing.T) {
		forEach(t, func(t *testing.T, e *env) {
			err := e.fail(e.do("PUT", "/api/v1/license", e.admin, "", map[string]any{"token": issue(jobflow.License{MaxTenants: 1, ExpiresAt: time.Now().Add(time.Hour)})}), 400, jobflow.EINVALID)
			if !strings.Contains(err.Message, "JOBFLOW_LICENSE_PUBLIC_KEY") {
				t.Fatalf("message %q", err.Message)
			}
			var v licenseView
			e.ok(e.do("GET", "/api/v1/license", e.admin, "", nil), 200, &v)
			if v.Installed || v.PublicKeyConfigured {
				t.Fatalf("view %+v", v)
			}
		})
	})

	t.Run("Limits", func(t *testing.T) {
		forEach(t, func(t *testing.T, e *env) {
			// Refused tokens install nothing.
			_, otherPriv, _ := license.Keygen()
			forged, _ := license.Issue(otherPriv, jobflow.License{MaxTenants: 100, ExpiresAt: time.Now().Add(time.Hour)})
			for _, bad := range []string{forged, issue(jobflow.License{MaxTenants: 1, ExpiresAt: time.Now().Add(-time.Hour)}), "junk"} {
				e.fail(e.do("PUT", "/api/v1/license", e.admin, "", map[string]any{"token": bad}), 400, jobflow.EINVALID)
			}
			if _, ok, _ := e.st.GetSetting(context.Background(), "license"); ok {
				t.Fatal("a refused license was stored")
			}

			tok := issue(jobflow.License{Subject: "acme", MaxTenants: 2, MaxWorkflowsPerTenant: 2, ExpiresAt: time.Now().Add(time.Hour)})
			var v licenseView
			e.ok(e.do("PUT", "/api/v1/license", e.admin, "", map[string]any{"token": tok}), 200, &v)
			e.ok(e.do("GET", "/api/v1/license", e.admin, "", nil), 200, &v)
			if !v.Installed || v.Expired || v.License.Subject != "acme" || v.License.MaxTenants != 2 {
				t.Fatalf("view %+v", v)
			}

			// default + one more = 2 tenants; the third is refused.
			e.tenant("second", 10)
			err := e.fail(e.as("POST", "/api/v1/tenants", map[string]any{"name": "third"}), 403, jobflow.ELIMITEXCEEDED)
			if !strings.Contains(err.Message, "2") {
				t.Fatalf("message %q", err.Message)
			}
			// min(license 2, tenant 1000) = 2 workflows.
			e.workflow("one")
			e.workflow("two")
			err = e.fail(e.as("POST", "/api/v1/workflows", map[string]any{"name": "three"}), 403, jobflow.ELIMITEXCEEDED)
			if !strings.Contains(err.Message, "2") {
				t.Fatalf("message %q", err.Message)
			}
			if n := e.count(e.tenantID); n != 2 {
				t.Fatalf("%d workflows", n)
			}
		}, withKey)
	})

	t.Run("Expired", func(t *testing.T) {
		forEach(t, func(t *testing.T, e *env) {
			// An installed license that has expired since: written behind
			// the API's back, since PUT refuses expired tokens.
			tok := issue(jobflow.License{MaxTenants: 50, MaxWorkflowsPerTenant: 50, ExpiresAt: time.Now().Add(-time.Minute)})
			if err := e.st.PutSetting(context.Background(), "license", tok); err != nil {
				t.Fatal(err)
			}
			var v licenseView
			e.ok(e.do("GET", "/api/v1/license", e.admin, "", nil), 200, &v)
			if !v.Installed || !v.Expired {
				t.Fatalf("view %+v", v)
			}
			n := e.count(e.tenantID)
			e.fail(e.as("POST", "/api/v1/workflows", map[string]any{"name": "new"}), 403, jobflow.ELIMITEXCEEDED)
			e.fail(e.as("POST", "/api/v1/tenants", map[string]any{"name": "new"}), 403, jobflow.ELIMITEXCEEDED)
			if e.count(e.tenantID) != n {
				t.Fatal("a workflow was created under an expired license")
			}
			// Renewing lifts the block.
			e.ok(e.do("PUT", "/api/v1/license", e.admin, "", map[string]any{"token": issue(jobflow.License{ExpiresAt: time.Now().Add(time.Hour)})}), 200, nil)
			e.workflow("new")
		}, withKey)
	})
}
