package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"jobflow/store"
)

// auditRetention reads JOBFLOW_AUDIT_RETENTION: days ("180d", "30d") or a
// Go duration of at least an hour ("720h"); default 180 days. Rows older
// than that are deleted hourly by every api process.
func auditRetention(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv("JOBFLOW_AUDIT_RETENTION"))
	if v == "" {
		return store.DefaultAuditRetention, nil
	}
	bad := &settingError{"JOBFLOW_AUDIT_RETENTION", fmt.Sprintf("%q: use days such as 180d, or a duration of at least 1h such as 720h", v)}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 100*365 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Hour {
		return 0, bad
	}
	return d, nil
}

// auditPurgeEvery is how often old audit rows are deleted.
const auditPurgeEvery = time.Hour
