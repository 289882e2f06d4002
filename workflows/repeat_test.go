package workflows

import (
	"testing"

	"jobflow"
)

// APPROVAL_WAITING repeats every 250 s while the gate waits: the gate's
// REJECT timeout decides it at 600 s, so two repeats go out of the five
// allowed, each for the repeating rule only; a rule without repeats sends
// once.
func TestFlowRun_AlarmRepeatsWhileStateLasts(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	in := approvalFlow("REJECT", 600)
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{
		{Events: []jobflow.AlarmEvent{jobflow.EventApprovalWaiting}, ChannelIDs: []string{"pager"}, RepeatEverySeconds: 250, MaxRepeats: 5},
		{Events: []jobflow.AlarmEvent{jobflow.EventApprovalWaiting}, ChannelIDs: []string{"mail"}},
	}
	res, _ := run(t, env, in)
	if res.Status != jobflow.RunFail {
		t.Fatalf("status %s: the gate's timeout should reject it", res.Status)
	}
	var pager, mail []int
	for _, a := range al.of(jobflow.EventApprovalWaiting) {
		switch a.ChannelID {
		case "pager":
			pager = append(pager, a.Repeat)
		case "mail":
			mail = append(mail, a.Repeat)
		}
	}
	if len(pager) != 3 || pager[0] != 0 || pager[1] != 1 || pager[2] != 2 || len(mail) != 1 {
		t.Fatalf("pager got repeats %v, mail %v; want [0 1 2] and [0]", pager, mail)
	}
}

// Repeats stop at maxRepeats even while the state lasts.
func TestFlowRun_AlarmRepeatsStopAtMax(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	in := approvalFlow("REJECT", 3600)
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{
		{Events: []jobflow.AlarmEvent{jobflow.EventApprovalWaiting}, ChannelIDs: []string{"pager"}, RepeatEverySeconds: 60, MaxRepeats: 2},
	}
	run(t, env, in)
	if got := al.of(jobflow.EventApprovalWaiting); len(got) != 3 || got[2].Repeat != 2 {
		t.Fatalf("%d sends (%+v), want the first and 2 repeats", len(got), got)
	}
}
