package main

import (
	"encoding/json"
	"net/http"
	"sync/atomic"

	"jobflow"
)

// startingHandler answers in place of the API until it is ready. jobflow
// takes its address first (a port in use is found at once) and then
// starts Temporal, the store and the worker, which takes seconds, a
// minute on a busy machine. Requests that arrived meanwhile used to wait
// in the listen queue and reached the API all together once it served:
// in the soak test, invoke callers well within their rate were refused
// with 429 after every restart of a standalone. Now they are answered at
// once, 503 UNAVAILABLE with Retry-After in the error envelope, like any
// outage; /healthz too (it answered nothing before), so that its 200 still
// means the API serves.
type startingHandler struct {
	api atomic.Pointer[http.Handler]
}

// ready hands every request from now on to h.
func (s *startingHandler) ready(h http.Handler) { s.api.Store(&h) }

func (s *startingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.api.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "2")
	w.WriteHeader(http.StatusServiceUnavailable)
	json.NewEncoder(w).Encode(map[string]*jobflow.Error{
		"error": jobflow.Errorf(jobflow.EUNAVAILABLE, "jobflow is starting; try again shortly")})
}
