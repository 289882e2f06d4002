package alarms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jobflow/egress"
	"net/http"
	"net/url"

	"jobflow"
)

// defaultHTTP follows no redirect: a redirected POST turns into a GET, and a
// robot that moved should show up as an error, not as a silent success.
var defaultHTTP = &http.Client{
	Timeout:       HTTPTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (s *Sender) httpClient() *http.Client {
	base := defaultHTTP
	if s.HTTPClient != nil {
		base = s.HTTPClient
	}
	if s.Dial == nil {
		return base
	}
	c, t := egress.HTTPClient(base, s.Dial)
	t.DisableKeepAlives = true // a client per send: nothing to keep
	return c
}

// postJSON posts body as JSON to rawURL and returns the answer. Any status
// but 2xx is an error carrying the code. The whole body (up to 64 KiB) is
// returned for the robots to parse; Result.Response holds its first 4 KiB.
func (s *Sender) postJSON(ctx context.Context, rawURL string, headers map[string]string, body any) (Result, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Result{}, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(b))
	if err != nil {
		return Result{}, nil, fmt.Errorf("bad url %s", redact(rawURL))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "jobflow-alarms/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.httpClient().Do(req)
	if err != nil {
		// *url.Error prints the full url, and a robot's url holds its token.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Result{}, nil, fmt.Errorf("POST %s: %w", redact(rawURL), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	res := Result{Code: resp.StatusCode, Response: jobflow.TruncateUTF8(string(raw), jobflow.MaxAlarmResponse)}
	if err != nil {
		return res, raw, fmt.Errorf("POST %s: reading the answer: %w", redact(rawURL), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, raw, fmt.Errorf("POST %s: HTTP %d", redact(rawURL), resp.StatusCode)
	}
	return res, raw, nil
}

// redact shows where a url points without its path and query, which may
// carry an access token.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
