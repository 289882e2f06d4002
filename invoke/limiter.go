package invoke

import (
	"container/list"
	"math"
	"sync"
	"time"
)

// Limiter defaults: a token may start 10 runs a second on average, 20 at once.
const (
	DefaultRate    = 10.0
	DefaultBurst   = 20
	DefaultMaxKeys = 10000
)

// Limiter is a token bucket per key (the invoke token's jti), so one noisy
// third party cannot starve the others. Use it after Verify: keyed by jti,
// it only counts requests with a genuine token (bad tokens are cheap 401s
// and belong to a per-address limit, if any).
//
// The endpoint answers a refusal with 429 TOO_MANY_REQUESTS and the header
// Retry-After: RetryAfterSeconds(retryAfter).
//
// Memory is bounded: keys live in least-recently-used order; a key whose
// bucket has refilled to the brim is dropped (a fresh bucket is the same
// thing), and past MaxKeys the least recently used key is dropped even if
// not full, which at worst lets that key burst again.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	maxKeys int

	mu   sync.Mutex
	keys map[string]*list.Element // of *bucket
	lru  list.List                // front: most recently used
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter of perSecond requests a second with bursts
// of burst, tracking at most maxKeys keys. Values <= 0 take the defaults.
func NewLimiter(perSecond float64, burst, maxKeys int) *Limiter {
	if perSecond <= 0 {
		perSecond = DefaultRate
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Limiter{rate: perSecond, burst: float64(burst), maxKeys: maxKeys, keys: map[string]*list.Element{}}
}

// Allow takes one token from key's bucket at time now. When the bucket is
// empty it answers false and how long until a token is back.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictIdle(now)
	el, found := l.keys[key]
	if !found {
		if len(l.keys) >= l.maxKeys {
			l.remove(l.lru.Back())
		}
		el = l.lru.PushFront(&bucket{key: key, tokens: l.burst, last: now})
		l.keys[key] = el
	} else {
		l.lru.MoveToFront(el)
	}
	b := el.Value.(*bucket)
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / l.rate * float64(time.Second)))
	return false, wait
}

// Len returns how many keys the limiter tracks.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if now.After(b.last) { // a clock that steps back adds nothing
		b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
	}
}

// evictIdle drops least recently used keys whose buckets are full again.
// It looks only at the tail, so each call is O(keys dropped).
func (l *Limiter) evictIdle(now time.Time) {
	for el := l.lru.Back(); el != nil; el = l.lru.Back() {
		b := el.Value.(*bucket)
		if b.tokens+now.Sub(b.last).Seconds()*l.rate < l.burst {
			return
		}
		l.remove(el)
	}
}

func (l *Limiter) remove(el *list.Element) {
	if el == nil {
		return
	}
	delete(l.keys, el.Value.(*bucket).key)
	l.lru.Remove(el)
}

// RetryAfterSeconds is the Retry-After header value for a wait: whole
// seconds, rounded up, at least 1 (a 0 would invite an immediate retry).
func RetryAfterSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		return 1
	}
	return s
}
