package jobflow

import (
	"context"
	"time"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered: a repeat
// within it answers what the first request answered and starts nothing.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyStale is how long a claim may stay without an answer before a
// repeat takes it over: the first request died between claiming the key
// and answering (a start takes seconds at most, never this long).
const IdempotencyStale = 10 * time.Minute

// IdempotencyKey is one remembered request: a key scoped to a tenant and a
// route, the fingerprint of the request that claimed it (method, path and
// body), and once that request has answered, its status and body.
type IdempotencyKey struct {
	TenantID    string
	Route       string // "POST /api/v1/workflows/:id/runs"
	Key         string // the client's Idempotency-Key header
	Fingerprint string
	Status      int    // 0 while the first request is at work
	Response    []byte // the first answer's body
	CreatedAt   time.Time
}

// IdempotencyService keeps idempotency keys.
type IdempotencyService interface {
	// ClaimIdempotencyKey inserts k (Status 0) unless (TenantID, Route, Key)
	// is already held by a row younger than IdempotencyTTL (and, while it
	// has no answer, younger than IdempotencyStale). It reports whether k
	// was claimed, else returns the row that holds the key. Of concurrent
	// claims of one key, exactly one wins.
	ClaimIdempotencyKey(ctx context.Context, k *IdempotencyKey) (held *IdempotencyKey, claimed bool, err error)
	// CompleteIdempotencyKey stores the answer of a claimed key.
	CompleteIdempotencyKey(ctx context.Context, tenantID, route, key string, status int, response []byte) error
	// ReleaseIdempotencyKey forgets a claimed key that has no answer (the
	// request failed and started nothing), so a repeat tries again.
	ReleaseIdempotencyKey(ctx context.Context, tenantID, route, key string) error
}
