package main

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"io"
	"log/slog"
)

// TestStartHTTP_AnswersWhileStarting: from the moment the address is
// taken, requests get 503 UNAVAILABLE in the envelope with Retry-After
// (healthz too), and the API once it is ready.
func TestStartHTTP_AnswersWhileStarting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := startHTTP(l, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer hs.srv.Close()
	base := "http://" + l.Addr().String()
	get := func(path string) (*http.Response, map[string]map[string]string) {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp, body
	}
	resp, body := get("/workflow/open/invokeWorkflow")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" || body["error"]["code"] != "UNAVAILABLE" {
		t.Errorf("while starting: %d Retry-After %q body %v, want 503 UNAVAILABLE with Retry-After 2", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, _ := get("/healthz"); resp.StatusCode != 503 {
		t.Errorf("healthz while starting: %d, want 503", resp.StatusCode)
	}

	hs.late.ready(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	if resp, _ := get("/workflow/open/invokeWorkflow"); resp.StatusCode != http.StatusTeapot {
		t.Errorf("once ready: %d, want the API's answer", resp.StatusCode)
	}
}
