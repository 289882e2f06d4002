package httpapi_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestCronPreview(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var out struct{ Times []time.Time }
		e.ok(e.do("POST", "/api/v1/cron/preview", e.admin, "", map[string]any{"cron": "0 30 2 * * ?", "timezone": "Asia/Shanghai"}), 200, &out)
		if len(out.Times) != 5 {
			t.Fatalf("times = %v, want 5", out.Times)
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		for i, tm := range out.Times {
			l := tm.In(sh)
			if l.Hour() != 2 || l.Minute() != 30 || l.Second() != 0 || !tm.After(time.Now()) {
				t.Fatalf("time %d = %v (%v in Shanghai)", i, tm, l)
			}
			if i > 0 && tm.Sub(out.Times[i-1]) != 24*time.Hour {
				t.Fatalf("times not a day apart: %v", out.Times)
			}
		}
		// Unix 5-field, count, and a window that ends after two fire times.
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		end := start.Add(150 * time.Minute)
		e.ok(e.do("POST", "/api/v1/cron/preview", e.admin, "", map[string]any{
			"cron": "0 * * * *", "timezone": "UTC", "count": 10, "startAt": start, "endAt": end}), 200, &out)
		if len(out.Times) != 3 || !out.Times[0].Equal(start) || !out.Times[2].Equal(start.Add(2*time.Hour)) {
			t.Fatalf("windowed times = %v (start %v)", out.Times, start)
		}

		// Bad input is a 400 naming the field.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"cron": "0 0 25 * * ?"}, "cron"},
			{map[string]any{"cron": ""}, "cron"},
			{map[string]any{"cron": "0 0 * * *", "timezone": "Mars/Base"}, "timezone"},
			{map[string]any{"cron": "0 0 * * *", "count": 101}, "count"},
			{map[string]any{"cron": "0 0 * * *", "count": -1}, "count"},
			{map[string]any{"cron": "0 0 * * *", "startAt": end, "endAt": start}, "endAt"},
			{map[string]any{"cron": "0 0 * * *", "bogus": 1}, ""}, // the message names it
		} {
			ae := e.fail(e.do("POST", "/api/v1/cron/preview", e.admin, "", c.body), 400, jobflow.EINVALID)
			if c.field != "" && ae.Details["field"] != c.field {
				t.Errorf("%v: details %v, want field %s (%s)", c.body, ae.Details, c.field, ae.Message)
			}
		}
		e.fail(e.do("POST", "/api/v1/cron/preview", "", "", map[string]any{"cron": "0 0 * * *"}), 401, jobflow.EUNAUTHORIZED)
	})
}
