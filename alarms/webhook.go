package alarms

import (
	"context"

	"jobflow"
)

// webhookBody is what a WEBHOOK channel receives: the run's fields as JSON.
type webhookBody struct {
	Event           jobflow.AlarmEvent `json:"event"`
	WorkflowID      string             `json:"workflowId"`
	WorkflowName    string             `json:"workflowName"`
	RunID           string             `json:"runId"`
	Status          string             `json:"status"`
	Trigger         string             `json:"trigger"`
	LogicalTime     string             `json:"logicalTime"`
	CurrentDatetime string             `json:"currentDatetime"`
	Duration        string             `json:"duration"`
	FailedJobs      []string           `json:"failedJobs"`
	Title           string             `json:"title"`
	Text            string             `json:"text"`
}

// sendWebhook POSTs the run's fields with the configured headers; any 2xx
// answer is success.
func (s *Sender) sendWebhook(ctx context.Context, cfg jobflow.AlarmConfig, msg Message) (Result, error) {
	f := msg.Fields
	body := webhookBody{
		Event:           msg.Event,
		WorkflowID:      f[VarWorkflowID],
		WorkflowName:    f[VarWorkflowName],
		RunID:           f[VarWorkflowInstanceID],
		Status:          f[VarStatus],
		Trigger:         f[VarTrigger],
		LogicalTime:     f[VarLogicalTime],
		CurrentDatetime: f[VarCurrentDatetime],
		Duration:        f[VarDuration],
		FailedJobs:      msg.FailedJobs,
		Title:           msg.Title,
		Text:            msg.Text,
	}
	if body.FailedJobs == nil {
		body.FailedJobs = []string{}
	}
	res, _, err := s.postJSON(ctx, cfg.URL, cfg.Headers, body)
	return res, err
}
