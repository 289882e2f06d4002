package jobtypes

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jobflow"
	"jobflow/egress"
)

// HTTPConfig is the config of HTTP jobs.
type HTTPConfig struct {
	Method       string            `json:"method"`
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers,omitempty"`
	Body         string            `json:"body,omitempty"`
	SuccessCodes []int             `json:"successCodes,omitempty"` // default: any 2xx
}

type httpType struct{}

func (httpType) Type() jobflow.JobType { return jobflow.JobHTTP }
func (httpType) Kind() jobflow.JobKind { return jobflow.KindActivity }
func (httpType) Defaults() any         { return HTTPConfig{Method: http.MethodGet} }

// Outputs: the status and the kept body (bodyTruncated "true" when cut).
func (httpType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{"status", "body", "bodyTruncated"}}
}

func (httpType) Schema() map[string]any {
	return object(map[string]any{
		"method":  enum("the request method", http.MethodGet, httpMethods...),
		"url":     map[string]any{"type": "string", "description": "an absolute http or https URL; variables may stand in it"},
		"headers": stringMap("request headers; variables are resolved"),
		"body":    map[string]any{"type": "string", "description": "the request body; variables are resolved", "maxLength": jobflow.MaxScriptBytes},
		"successCodes": map[string]any{"type": "array", "description": "the statuses that succeed (any 2xx when empty)",
			"items": map[string]any{"type": "integer", "minimum": 100, "maximum": 599}},
	}, "url")
}

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

func (httpType) Normalize(raw json.RawMessage) (any, error) {
	var c HTTPConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.Method == "" {
		c.Method = "GET"
	}
	c.Method = strings.ToUpper(c.Method)
	if !slices.Contains(httpMethods, c.Method) {
		return nil, jobflow.InvalidField("config.method", "config.method %q is not supported", c.Method)
	}
	if err := validateJobURL(c.URL); err != nil {
		return nil, err
	}
	for _, code := range c.SuccessCodes {
		if code < 100 || code > 599 {
			return nil, jobflow.InvalidField("config.successCodes", "config.successCodes: %d is not an HTTP status", code)
		}
	}
	if len(c.Body) > jobflow.MaxScriptBytes {
		return nil, jobflow.InvalidField("config.body", "config.body must be at most %d bytes", jobflow.MaxScriptBytes)
	}
	return c, nil
}

// validateJobURL accepts absolute http(s) URLs; variables like ${params.host}
// may stand in them and are resolved at node start.
func validateJobURL(raw string) error {
	if raw == "" {
		return jobflow.InvalidField("config.url", "config.url is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if strings.Contains(raw, "${") || strings.Contains(raw, "$[") {
			return nil
		}
		return jobflow.InvalidField("config.url", "config.url must be an absolute http or https URL")
	}
	return nil
}

// MaxHTTPBody is how much of an HTTP job's response body is kept.
const MaxHTTPBody = 64 << 10

// httpResult is the result of an HTTP job.
type httpResult struct {
	Status    int    `json:"status"`
	Body      string `json:"body"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Execute sends the job's request with its variables resolved. The status
// decides: in successCodes (any 2xx by default) the node succeeds, otherwise
// it fails with "HTTP status N". Either way the status and the first 64 KiB
// of the body are the result and go to the log.
func (httpType) Execute(ctx context.Context, env Env, job *jobflow.Job) (Outcome, error) {
	var cfg HTTPConfig
	if err := decodeStored(job, &cfg); err != nil {
		return Outcome{}, err
	}
	rawURL, err := env.Resolve("url", cfg.URL)
	if err != nil {
		return Outcome{}, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Outcome{}, ConfigErrorf("url %q is not an absolute http or https URL", rawURL)
	}
	body, err := env.Resolve("body", cfg.Body)
	if err != nil {
		return Outcome{}, err
	}
	method := cfg.Method
	if method == "" {
		method = http.MethodGet
	}
	var reqBody io.Reader
	if body != "" {
		reqBody = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return Outcome{}, ConfigErrorf("cannot build the request: %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Headers)) {
		v, err := env.Resolve("header "+k, cfg.Headers[k])
		if err != nil {
			return Outcome{}, err
		}
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}

	client, closeIdle := env.HTTPClient()
	defer closeIdle()
	env.Logf("%s %s", method, u.Redacted())
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Outcome{}, ctx.Err()
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is in the log already
		}
		if egress.IsRefused(err) {
			return Outcome{}, ConfigErrorf("HTTP request refused: %v", err)
		}
		return Outcome{}, Failf("HTTP request failed: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil && ctx.Err() != nil {
		return Outcome{}, ctx.Err()
	}
	res := httpResult{Status: resp.StatusCode}
	if len(data) > MaxHTTPBody {
		data, res.Truncated = trimPartialRune(data[:MaxHTTPBody]), true
	}
	res.Body = string(data)
	kept := "whole body"
	if res.Truncated {
		kept = "body truncated"
	}
	env.Logf("%s in %d ms, %d bytes (%s)", resp.Status, time.Since(start).Milliseconds(), len(data), kept)
	if len(data) > 0 {
		env.Log(data)
		env.Log([]byte("\n"))
	}
	result, _ := json.Marshal(res)
	out := Outcome{Result: result, Outputs: httpOutputs(res)}
	if err != nil {
		return out, Failf("reading the response: %v", err)
	}
	if !statusOK(resp.StatusCode, cfg.SuccessCodes) {
		return out, Failf("HTTP status %d", resp.StatusCode)
	}
	return out, nil
}

// httpOutputs are an HTTP job's outputs: status and body (the kept body,
// cut further if needed so that the outputs fit in MaxOutputBytes, with
// bodyTruncated then "true").
func httpOutputs(res httpResult) map[string]string {
	out := map[string]string{"status": strconv.Itoa(res.Status), "body": res.Body}
	if res.Truncated {
		out["bodyTruncated"] = "true"
	}
	if jobflow.OutputsSize(out) <= jobflow.MaxOutputBytes {
		return out
	}
	// The longest head of the body that fits (escaping makes JSON longer
	// than the text by a varying amount): binary search.
	out["bodyTruncated"] = "true"
	lo, hi := 0, len(res.Body)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		out["body"] = string(trimPartialRune([]byte(res.Body[:mid])))
		if jobflow.OutputsSize(out) <= jobflow.MaxOutputBytes {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out["body"] = string(trimPartialRune([]byte(res.Body[:lo])))
	return out
}

func statusOK(status int, successCodes []int) bool {
	if len(successCodes) == 0 {
		return status >= 200 && status <= 299
	}
	return slices.Contains(successCodes, status)
}

// trimPartialRune drops a UTF-8 character cut in half at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			return b
		}
	}
	return b
}
