package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/alarms"
	"jobflow/workflows"
)

// AlarmStore is what SendAlarm needs of the store: a channel with its
// decrypted secrets, and a place for the record of each attempt.
type AlarmStore interface {
	FindAlarmChannelSecrets(ctx context.Context, tenantID, id string) (*jobflow.AlarmChannel, jobflow.AlarmSecrets, error)
	CreateAlarmRecord(ctx context.Context, r *jobflow.AlarmRecord) error
}

// alarmDeduper is the store's check that an alarm went out already.
type alarmDeduper interface {
	AlarmAlreadySent(ctx context.Context, tenantID, runID string, ev jobflow.AlarmEvent, jobID, channelID string, repeat int) (bool, error)
}

// ErrTypeAlarmFailed is SendAlarm's retryable error: the channel refused
// the alarm or could not be reached.
const ErrTypeAlarmFailed = "AlarmFailed"

// SendAlarm sends one event of a run to one channel and records the
// attempt (SENT or FAILED, with the channel's answer; SILENCED inside the rule's silence window). A refusal is a
// retryable error, so Temporal retries it with the backoff of
// workflows.AlarmActivityOptions; a channel that does not exist in the
// run's tenant is recorded once and not retried.
func (a *Activities) SendAlarm(ctx context.Context, in workflows.SendAlarmInput) error {
	if a.Alarms == nil {
		return temporal.NewNonRetryableApplicationError("this worker has no alarm store", ErrTypeStoreFailed, nil)
	}
	rec := &jobflow.AlarmRecord{
		ID:         alarmRecordID(ctx),
		TenantID:   in.Run.TenantID,
		RunID:      in.Run.ID,
		WorkflowID: in.Run.WorkflowID,
		ChannelID:  in.ChannelID,
		Event:      in.Event,
		JobID:      in.JobID,
		Attempt:    attemptOf(ctx),
		Repeat:     in.Repeat,
	}
	if in.Approval != nil {
		rec.JobID = in.Approval.JobID
	}
	loc, err := time.LoadLocation(in.Timezone)
	if in.Timezone == "" || err != nil {
		loc = time.UTC
	}
	return a.deliver(ctx, rec, in.Silence, loc, func(ch *jobflow.AlarmChannel) (alarms.Message, error) {
		switch ask := in.Approval; {
		case ask != nil:
			link, err := a.approvalLink(ctx, in, ch)
			if err != nil {
				a.logger().Error("make approval link", "run", in.Run.ID, "channel", in.ChannelID, "err", err)
				return alarms.Message{}, temporal.NewApplicationError("cannot make the approval link", ErrTypeStoreFailed)
			}
			return alarms.ApprovalMessage(in.Template, in.Run, ask.JobName, ask.Message, link, ask.Deadline, time.Now(), loc), nil
		case in.JobName != "":
			return alarms.JobMessage(in.Event, in.Template, in.Run, in.JobID, in.JobName, time.Now(), loc), nil
		}
		return alarms.RunMessage(in.Event, in.Template, in.Run, in.FailedJobs, time.Now(), loc), nil
	})
}

// deliver sends one alarm to rec's channel and records the attempt, for
// SendAlarm and SendBaselineAlarm alike. Nothing is sent when the record
// key (run, event, job, channel, repeat) was sent already — a retry after
// a send that went through (its worker died before reporting) — or
// inside silence (recorded SILENCED). A channel missing from the tenant
// is recorded and answered with a non-retryable
// workflows.ErrTypeAlarmChannelMissing; a refusal with a retryable
// ErrTypeAlarmFailed. message builds the text once the channel is known.
func (a *Activities) deliver(ctx context.Context, rec *jobflow.AlarmRecord, silence *jobflow.Silence, loc *time.Location,
	message func(*jobflow.AlarmChannel) (alarms.Message, error)) error {
	if d, ok := a.Alarms.(alarmDeduper); ok && rec.RunID != "" {
		if sent, err := d.AlarmAlreadySent(ctx, rec.TenantID, rec.RunID, rec.Event, rec.JobID, rec.ChannelID, rec.Repeat); err != nil {
			return temporal.NewApplicationError("cannot read the alarm records", ErrTypeStoreFailed)
		} else if sent {
			return nil
		}
	}
	if silence.Holds(time.Now().In(loc)) {
		rec.Status, rec.Error = jobflow.AlarmSilenced, "held back by the rule's silence "+silence.From+"–"+silence.To
		a.recordAlarm(ctx, rec)
		return nil
	}
	ch, sec, err := a.Alarms.FindAlarmChannelSecrets(ctx, rec.TenantID, rec.ChannelID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		rec.SetOutcome(0, "", errors.New("the alarm channel does not exist in this tenant (deleted?)"))
		a.recordAlarm(ctx, rec)
		return temporal.NewNonRetryableApplicationError(rec.Error, workflows.ErrTypeAlarmChannelMissing, nil)
	} else if err != nil {
		a.logger().Error("load alarm channel", "run", rec.RunID, "channel", rec.ChannelID, "err", err)
		return temporal.NewApplicationError("cannot load the alarm channel", ErrTypeStoreFailed)
	}
	msg, err := message(ch)
	if err != nil {
		return err
	}
	sender := a.AlarmSender
	if sender == nil {
		sender = alarms.Default
	}
	// The channel is reached only where the tenant's egress allows.
	res, sendErr := sender.WithDial(a.tenantDialer(rec.TenantID)).Send(ctx, *ch, sec, msg)
	rec.SetOutcome(res.Code, res.Response, sendErr)
	a.recordAlarm(ctx, rec)
	a.Metrics.AlarmSent(string(ch.Type), string(rec.Status))
	if sendErr != nil {
		return temporal.NewApplicationError(fmt.Sprintf("channel %s refused the alarm: %s", ch.Name, rec.Error), ErrTypeAlarmFailed)
	}
	return nil
}

// recordAlarm writes rec; a store error is logged, not returned, so a send
// that succeeded is not repeated because its record could not be written.
// The record is written even when the send used up the activity's time.
func (a *Activities) recordAlarm(ctx context.Context, rec *jobflow.AlarmRecord) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := a.Alarms.CreateAlarmRecord(ctx, rec); err != nil {
		a.logger().Error("record alarm", "run", rec.RunID, "channel", rec.ChannelID, "event", rec.Event, "err", err)
	}
}

// alarmRecordID is the same for every execution of one attempt of one
// activity, so a record is written once even if the worker runs the same
// attempt twice (it dies after writing, before reporting).
func alarmRecordID(ctx context.Context) string {
	if !activity.IsActivity(ctx) {
		return jobflow.NewID(jobflow.PrefixAlarmRecord)
	}
	info := activity.GetInfo(ctx)
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d", info.WorkflowExecution.ID,
		info.WorkflowExecution.RunID, info.ActivityID, info.Attempt))
	return jobflow.PrefixAlarmRecord + "_" + hex.EncodeToString(sum[:12])
}
