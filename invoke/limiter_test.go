package invoke_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"jobflow/invoke"
)

func TestLimiter_BurstThenRefusal(t *testing.T) {
	l := invoke.NewLimiter(10, 20, 0)
	for i := range 20 {
		if ok, _ := l.Allow("jti-1", now); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("jti-1", now)
	if ok {
		t.Fatal("request 21 allowed at the same instant")
	}
	if wait != 100*time.Millisecond { // one token at 10/s
		t.Fatalf("retryAfter %v, want 100ms", wait)
	}
	if s := invoke.RetryAfterSeconds(wait); s != 1 {
		t.Fatalf("Retry-After %d, want 1", s)
	}
	// Half-way to the next token the wait is the other half.
	if ok, wait := l.Allow("jti-1", now.Add(50*time.Millisecond)); ok || wait != 50*time.Millisecond {
		t.Fatalf("at +50ms: ok=%v wait=%v, want refused for 50ms", ok, wait)
	}
}

func TestLimiter_Refill(t *testing.T) {
	l := invoke.NewLimiter(2, 4, 0) // one token every 500 ms
	at := now
	for range 4 {
		l.Allow("k", at)
	}
	if ok, _ := l.Allow("k", at); ok {
		t.Fatal("allowed past the burst")
	}
	// Waiting the advertised time is enough, and no more than one
	// token has come back.
	_, wait := l.Allow("k", at)
	at = at.Add(wait)
	if ok, _ := l.Allow("k", at); !ok {
		t.Fatalf("refused after waiting %v", wait)
	}
	if ok, _ := l.Allow("k", at); ok {
		t.Fatal("two tokens back after one interval")
	}
	// A long pause refills to the burst, not beyond.
	at = at.Add(time.Hour)
	for i := range 4 {
		if ok, _ := l.Allow("k", at); !ok {
			t.Fatalf("request %d after an hour refused", i+1)
		}
	}
	if ok, _ := l.Allow("k", at); ok {
		t.Fatal("burst grew beyond 4 after an hour idle")
	}
	// A clock stepping back adds nothing.
	if ok, _ := l.Allow("k", at.Add(-time.Hour)); ok {
		t.Fatal("a clock going back refilled the bucket")
	}
}

func TestLimiter_PerKeyIsolation(t *testing.T) {
	l := invoke.NewLimiter(1, 3, 0)
	for range 3 {
		l.Allow("noisy", now)
	}
	if ok, _ := l.Allow("noisy", now); ok {
		t.Fatal("noisy key not limited")
	}
	for i := range 3 {
		if ok, _ := l.Allow("quiet", now); !ok {
			t.Fatalf("quiet key refused at %d because of the noisy one", i+1)
		}
	}
}

func TestLimiter_BoundedMemory(t *testing.T) {
	const maxKeys = 1000
	l := invoke.NewLimiter(10, 20, maxKeys)
	// 100k distinct keys at one instant: nothing is idle, the cap holds.
	for i := range 100_000 {
		l.Allow(fmt.Sprintf("jti-%d", i), now)
		if n := l.Len(); n > maxKeys {
			t.Fatalf("%d keys tracked after %d requests, cap %d", n, i+1, maxKeys)
		}
	}
	// The most recent keys are the ones kept, with their state.
	last := "jti-99999"
	for range 19 {
		l.Allow(last, now)
	}
	if ok, _ := l.Allow(last, now); ok {
		t.Fatal("a recent key lost its state")
	}
	// Once every bucket has refilled (2 s at 10/s for 20), one request
	// sweeps the idle keys away.
	l.Allow("late", now.Add(3*time.Second))
	if n := l.Len(); n != 1 {
		t.Fatalf("%d keys tracked after they all went idle, want 1", n)
	}
}

func TestLimiter_DefaultsAndConcurrency(t *testing.T) {
	l := invoke.NewLimiter(0, 0, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if ok, _ := l.Allow("shared", now); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != invoke.DefaultBurst {
		t.Fatalf("%d of 80 simultaneous requests allowed, want the default burst %d", allowed, invoke.DefaultBurst)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{
		0:                       1,
		time.Nanosecond:         1,
		time.Second:             1,
		time.Second + 1:         2,
		2500 * time.Millisecond: 3,
	} {
		if got := invoke.RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

func BenchmarkLimiter_Allow(b *testing.B) {
	l := invoke.NewLimiter(1e9, 1e9, 0)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("jti-%d", i)
	}
	i := 0
	for b.Loop() {
		l.Allow(keys[i%len(keys)], now)
		i++
	}
}
