package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Idempotent starts (an addition to the contract: docs/api.md#idempotent-starts-idempotency-key). POST /workflows/{id}/runs,
// /runs/{id}/rerun and /workflows/{id}/backfill take an Idempotency-Key
// header. The first request with a key claims it in the store (scoped to
// the tenant and the route) together with its fingerprint (method, path and
// body); when it has answered 2xx, the answer is kept IdempotencyTTL and
// every repeat gets the same status and body (the same run ids) and starts
// nothing. A repeat with another fingerprint is 409. Repeats that arrive
// while the first is still at work wait for its answer; concurrent
// identical requests therefore start exactly one run, because the store
// lets exactly one claim through. A first request that fails (4xx, 503)
// releases the key, so a retry does the work again.

const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
	maxIdempotencyKey    = 255
	// idempotencyWait bounds how long a repeat waits for the first
	// request's answer before it is told to retry.
	idempotencyWait = 30 * time.Second
)

// idempotent wraps the handler of route r with the Idempotency-Key protocol.
func (s *Server) idempotent(r route, next echo.HandlerFunc) echo.HandlerFunc {
	scope := r.method + " " + r.path
	return func(c echo.Context) error {
		key := c.Request().Header.Get(headerIdempotencyKey)
		if key == "" || s.deps.Idempotency == nil {
			return next(c)
		}
		if len(key) > maxIdempotencyKey || !printableASCII(key) {
			return invalid(headerIdempotencyKey, "the Idempotency-Key header must be 1-%d printable ASCII characters", maxIdempotencyKey)
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			if tooBig(err) {
				return tooLarge()
			}
			return jobflow.Errorf(jobflow.EINVALID, "could not read the request body")
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		k := &jobflow.IdempotencyKey{TenantID: actor(c).TenantID, Route: scope, Key: key,
			Fingerprint: fingerprint(c.Request().Method, c.Request().URL.Path, body)}
		ctx := c.Request().Context()

		held, err := s.awaitIdempotencyKey(ctx, k)
		if err != nil {
			return err
		}
		if held != nil {
			if held.Fingerprint != k.Fingerprint {
				return jobflow.Errorf(jobflow.ECONFLICT, "this Idempotency-Key was used with another request (another path or body)").
					WithDetails(map[string]string{"field": headerIdempotencyKey})
			}
			c.Response().Header().Set(headerReplayed, "true")
			return c.JSONBlob(held.Status, held.Response)
		}

		// Claimed: do the work and keep its answer.
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		c.Response().Writer = rec.ResponseWriter
		done := context.WithoutCancel(ctx)
		if err != nil || rec.status < 200 || rec.status > 299 {
			if rerr := s.deps.Idempotency.ReleaseIdempotencyKey(done, k.TenantID, k.Route, k.Key); rerr != nil {
				s.log.Error("release idempotency key", "err", rerr, "route", scope)
			}
			return err
		}
		if cerr := s.deps.Idempotency.CompleteIdempotencyKey(done, k.TenantID, k.Route, k.Key, rec.status, rec.body.Bytes()); cerr != nil {
			// The work is done and answered; a repeat waits for the stale
			// claim to lapse (jobflow.IdempotencyStale) rather than start twice.
			s.log.Error("keep idempotency answer", "err", cerr, "route", scope)
		}
		return nil
	}
}

// awaitIdempotencyKey claims k, or returns the answered row that holds it,
// waiting while the row's first request is still at work.
func (s *Server) awaitIdempotencyKey(ctx context.Context, k *jobflow.IdempotencyKey) (*jobflow.IdempotencyKey, error) {
	deadline := time.Now().Add(idempotencyWait)
	pause := 10 * time.Millisecond
	for {
		held, claimed, err := s.deps.Idempotency.ClaimIdempotencyKey(ctx, k)
		switch {
		case jobflow.ErrorCode(err) == jobflow.ENOTFOUND:
			// Released between our insert and our read: claim again.
		case err != nil:
			return nil, err
		case claimed:
			return nil, nil
		case held.Fingerprint != k.Fingerprint || held.Status != 0:
			return held, nil
		}
		if time.Now().After(deadline) {
			return nil, jobflow.Errorf(jobflow.ECONFLICT, "a request with this Idempotency-Key is still being answered; retry it later").
				WithDetails(map[string]string{"field": headerIdempotencyKey})
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// fingerprint identifies a request: method, path and body (compacted, so
// whitespace does not count).
func fingerprint(method, path string, body []byte) string {
	var compact bytes.Buffer
	if json.Compact(&compact, body) == nil {
		body = compact.Bytes()
	}
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// recorder keeps a copy of what a handler answers.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
