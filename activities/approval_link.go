package activities

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"jobflow"
	"jobflow/workflows"
)

// Approval links (docs/run-semantics.md#approval-jobs): SendAlarm of an
// APPROVAL_WAITING event mints one per channel. The token is 32 random
// bytes; the store keeps only its SHA-256, so a copy of the database
// decides nothing.

// approvalLink mints the link of in's node for channel ch, "" when this
// worker has no public URL (the message then says to use the console).
func (a *Activities) approvalLink(ctx context.Context, in workflows.SendAlarmInput, ch *jobflow.AlarmChannel) (string, error) {
	links, ok := a.Alarms.(jobflow.ApprovalLinkService)
	if a.PublicURL == "" || !ok {
		return "", nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	ask := in.Approval
	l := &jobflow.ApprovalLink{TenantID: in.Run.TenantID, RunID: in.Run.ID, JobID: ask.JobID, JobName: ask.JobName,
		ChannelID: ch.ID, ChannelName: ch.Name, Message: ask.Message, ExpiresAt: ask.Deadline}
	if err := links.CreateApprovalLink(ctx, l, jobflow.ApprovalTokenHash(token)); err != nil {
		return "", err
	}
	return strings.TrimRight(a.PublicURL, "/") + jobflow.ApprovalLinkPath + token, nil
}
