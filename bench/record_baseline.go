package bench

import (
	"context"
	"sync"
	"time"

	"jobflow"
	"jobflow/workflows"
)

// The recorded baseline watch's stand-in activities: a date is WARNING at
// its first check and MET at its second; the check of the next date finds
// the baseline deleted, which ends the watch.
var baselineChecks sync.Map // baseline id → *int (checks so far)

// EvaluateBaseline is the recorder's stand-in for the store-backed check.
func EvaluateBaseline(_ context.Context, in workflows.EvaluateBaselineInput) (workflows.EvaluateBaselineResult, error) {
	v, _ := baselineChecks.LoadOrStore(in.BaselineID, new(int))
	n := v.(*int)
	*n++
	deadline := in.Now.Add(time.Hour)
	res := workflows.EvaluateBaselineResult{Deadline: deadline, WarnAt: deadline.Add(-10 * time.Minute)}
	switch *n {
	case 1:
		res.Status = jobflow.BaselineWarning
	case 2:
		res.Status = jobflow.BaselineMet
	default:
		res.Deleted = true
	}
	return res, nil
}

// SendBaselineAlarm sends nothing.
func SendBaselineAlarm(context.Context, workflows.SendBaselineAlarmInput) error { return nil }
