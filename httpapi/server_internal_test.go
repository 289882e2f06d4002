package httpapi

import (
	"jobflow/internal/testtier"

	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A handler that panics is a 500 INTERNAL in the envelope, with the panic
// and its stack in the log only.
func TestServer_Panic(t *testing.T) {
	testtier.Parallel(t)
	var logs bytes.Buffer
	s := New(Config{JWTSecret: []byte("x"), Logger: slog.New(slog.NewTextHandler(&logs, nil))}, Deps{})
	s.echo.GET("/boom", func(echo.Context) error { panic("secret detail") })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || rec.Body.String() != `{"error":{"code":"INTERNAL","message":"internal error"}}`+"\n" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "status=500") {
		t.Fatalf("log:\n%s", logs.String())
	}
}
