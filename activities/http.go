package activities

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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

// MaxHTTPBody is how much of an HTTP job's response body is kept.
const MaxHTTPBody = 64 << 10

// httpResult is the result of an HTTP job.
type httpResult struct {
	Status    int    `json:"status"`
	Body      string `json:"body"`
	Truncated bool   `json:"truncated,omitempty"`
}

// runHTTP sends the job's request with its variables resolved. The status
// decides: in successCodes (any 2xx by default) the node succeeds, otherwise
// it fails with "HTTP status N". Either way the status and the first 64 KiB
// of the body are the result and go to the log.
func (a *Activities) runHTTP(ctx context.Context, tenantID string, cfg jobflow.HTTPConfig, vars resolver, log *nodeLog) (outcome, error) {
	rawURL, err := vars.resolve("url", cfg.URL)
	if err != nil {
		return outcome{}, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return outcome{}, configErrorf("url %q is not an absolute http or https URL", rawURL)
	}
	body, err := vars.resolve("body", cfg.Body)
	if err != nil {
		return outcome{}, err
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
		return outcome{}, configErrorf("cannot build the request: %v", err)
	}
	for _, k := range sortedKeys(cfg.Headers) {
		v, err := vars.resolve("header "+k, cfg.Headers[k])
		if err != nil {
			return outcome{}, err
		}
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}

	client, closeIdle := a.egressHTTPClient(tenantID)
	defer closeIdle()
	log.Printf("%s %s", method, u.Redacted())
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{}, ctx.Err()
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is in the log already
		}
		if egress.IsRefused(err) {
			return outcome{}, configErrorf("HTTP request refused: %v", err)
		}
		return outcome{}, failf("HTTP request failed: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil && ctx.Err() != nil {
		return outcome{}, ctx.Err()
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
	log.Printf("%s in %d ms, %d bytes (%s)", resp.Status, time.Since(start).Milliseconds(), len(data), kept)
	if len(data) > 0 {
		log.Write(data)
		log.Write([]byte("\n"))
	}
	result, _ := json.Marshal(res)
	out := outcome{Result: result, Outputs: httpOutputs(res)}
	if err != nil {
		return out, failf("reading the response: %v", err)
	}
	if !statusOK(resp.StatusCode, cfg.SuccessCodes) {
		return out, failf("HTTP status %d", resp.StatusCode)
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
