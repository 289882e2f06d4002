package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

type tenantInput struct {
	Name         *string `json:"name"`
	MaxWorkflows *int    `json:"maxWorkflows"`
	OSUser       *string `json:"osUser"`
	// docs/security.md: who may connect where, and how much a job may use.
	EgressAllow *[]string          `json:"egressAllow"`
	JobLimits   *jobflow.JobLimits `json:"jobLimits"`
}

// apply sets the fields in gives on t.
func (in tenantInput) apply(t *jobflow.Tenant) {
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.MaxWorkflows != nil {
		t.MaxWorkflows = *in.MaxWorkflows
	}
	if in.OSUser != nil {
		t.OSUser = *in.OSUser
	}
	if in.EgressAllow != nil {
		t.EgressAllow = *in.EgressAllow
	}
	if in.JobLimits != nil {
		t.JobLimits = *in.JobLimits
	}
}

func (s *Server) createTenant(c echo.Context) error {
	var in tenantInput
	if err := decode(c, &in); err != nil {
		return err
	}
	t := &jobflow.Tenant{ID: jobflow.NewID(jobflow.PrefixTenant), MaxWorkflows: jobflow.DefaultMaxWorkflows, EgressAllow: []string{}}
	in.apply(t)
	if err := t.Validate(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	lic, err := s.license(ctx)
	if err != nil {
		return err
	}
	if err := lic.allowCreate(); err != nil {
		return err
	}
	if lic.l != nil && lic.l.MaxTenants > 0 {
		// Not atomic with the insert: tenants are created by hand by a
		// system administrator, so a race here is not a practical concern.
		n, err := s.deps.Tenants.CountTenants(ctx)
		if err != nil {
			return err
		}
		if n >= lic.l.MaxTenants {
			return jobflow.Errorf(jobflow.ELIMITEXCEEDED, "the license allows at most %d tenants", lic.l.MaxTenants)
		}
	}
	now := time.Now().UTC()
	t.CreatedAt, t.UpdatedAt = now, now
	if err := s.deps.Tenants.CreateTenant(ctx, t); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: t.ID, Name: t.Name})
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) listTenants(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.deps.Tenants.FindTenants(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) updateTenant(c echo.Context) error {
	var in tenantInput
	if err := decode(c, &in); err != nil {
		return err
	}
	// Validate the changed fields the same way as on create.
	probe := jobflow.Tenant{Name: "x", MaxWorkflows: 1}
	in.apply(&probe)
	if err := probe.Validate(); err != nil {
		return err
	}
	t, err := s.deps.Tenants.UpdateTenant(c.Request().Context(), c.Param("id"),
		jobflow.TenantUpdate{Name: in.Name, MaxWorkflows: in.MaxWorkflows, OSUser: in.OSUser, EgressAllow: in.EgressAllow, JobLimits: in.JobLimits})
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: t.Name, TenantID: t.ID})
	return c.JSON(http.StatusOK, t)
}
