package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/license"
)

// settingLicense is the SettingService key of the installed license token.
const settingLicense = "license"

// installed is the license in force. An expired license keeps its limits
// and, in addition, refuses the creation of tenants and workflows until a
// new one is installed: expiry must never loosen the limits, and existing
// workflows keep running. A stored token that no longer verifies (no public
// key configured, or another key) counts as no license, with a warning in
// the log.
type installed struct {
	l       *jobflow.License
	expired bool
}

type licenseInput struct {
	Token string `json:"token" required:"true"`
}

type licenseView struct {
	Installed           bool             `json:"installed"`
	Expired             bool             `json:"expired"`
	PublicKeyConfigured bool             `json:"publicKeyConfigured"`
	License             *jobflow.License `json:"license" required:"true"`
}

func (s *Server) license(ctx context.Context) (installed, error) {
	token, ok, err := s.deps.Settings.GetSetting(ctx, settingLicense)
	if err != nil || !ok {
		return installed{}, err
	}
	if s.cfg.LicensePublicKey == nil {
		s.log.Warn("a license is installed but JOBFLOW_LICENSE_PUBLIC_KEY is not set; ignoring it")
		return installed{}, nil
	}
	l, err := license.Decode(s.cfg.LicensePublicKey, token)
	if err != nil {
		s.log.Warn("the installed license does not verify; ignoring it", "err", err)
		return installed{}, nil
	}
	return installed{l: l, expired: !time.Now().Before(l.ExpiresAt)}, nil
}

// allowCreate refuses new tenants and workflows under an expired license.
func (i installed) allowCreate() error {
	if i.expired {
		return jobflow.Errorf(jobflow.ELIMITEXCEEDED, "the license expired at %s; install a new one to create tenants or workflows",
			i.l.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// perTenant is the license's maxWorkflowsPerTenant, 0 without a license;
// the store combines it with the tenant's own limit (jobflow.WorkflowLimit).
func (i installed) perTenant() int {
	if i.l == nil {
		return 0
	}
	return i.l.MaxWorkflowsPerTenant
}

func (s *Server) view(i installed) licenseView {
	return licenseView{Installed: i.l != nil, Expired: i.expired, PublicKeyConfigured: s.cfg.LicensePublicKey != nil, License: i.l}
}

func (s *Server) getLicense(c echo.Context) error {
	i, err := s.license(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.view(i))
}

func (s *Server) putLicense(c echo.Context) error {
	var in licenseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if s.cfg.LicensePublicKey == nil {
		return jobflow.Errorf(jobflow.EINVALID, "JOBFLOW_LICENSE_PUBLIC_KEY is not set, so no license can be verified")
	}
	in.Token = strings.TrimSpace(in.Token)
	if in.Token == "" {
		return invalid("token", "token is required")
	}
	l, err := license.VerifyKey(s.cfg.LicensePublicKey, in.Token)
	if err != nil {
		return invalid("token", "%s", err.Error())
	}
	if err := s.deps.Settings.PutSetting(c.Request().Context(), settingLicense, in.Token); err != nil {
		return err
	}
	setAudit(c, auditObject{Name: l.Subject})
	return c.JSON(http.StatusOK, s.view(installed{l: l}))
}
