package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

type status struct {
	Status string `json:"status"`
}

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, status{Status: "ok"})
}

// readyz runs every readiness check with a short timeout; the first failure
// is a 503 naming the dependency (its error text goes to the log only).
func (s *Server) readyz(c echo.Context) error {
	for _, ch := range s.cfg.Ready {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		err := ch.Check(ctx)
		cancel()
		if err != nil {
			s.log.Warn("not ready", "check", ch.Name, "err", err)
			return jobflow.Errorf(jobflow.EUNAVAILABLE, "%s is not reachable", ch.Name).WithDetails(map[string]string{"check": ch.Name})
		}
	}
	return c.JSON(http.StatusOK, status{Status: "ready"})
}
