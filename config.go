package jobflow

import (
	"fmt"
	"time"

	"jobflow/cron"
)

// WorkflowConfig is the 配置 of a workflow: 调度, 基线告警, 外部调用, and how runs behave.
type WorkflowConfig struct {
	Schedule        Schedule          `json:"schedule"`
	Alarms          []AlarmRule       `json:"alarms"`
	Invoke          InvokeSetting     `json:"invoke"`
	FailureStrategy FailureStrategy   `json:"failureStrategy"`
	MaxParallelism  int               `json:"maxParallelism"`
	Params          map[string]string `json:"params"`
	// Concurrency limits the runs of this workflow that go on at once, for
	// every trigger; nil is no limit.
	Concurrency *Concurrency `json:"concurrency,omitempty"`
	// MaxDurationSeconds bounds a run's time (0: none); OnMaxDuration says
	// what happens then: ALERT (default), FAIL or ABORT.
	MaxDurationSeconds int    `json:"maxDurationSeconds,omitempty" doc:"a run's maximum duration in seconds (0: none); when it passes, RUN_TIMEOUT is sent and onMaxDuration applies"`
	OnMaxDuration      string `json:"onMaxDuration,omitempty" enum:"ALERT,FAIL,ABORT" doc:"at the maximum duration: ALERT (the default) goes on, FAIL stops the running jobs and fails the run, ABORT aborts it"`
}

// Schedule modes.
const (
	ModeSingle   = "SINGLE"   // 单一调度: only the workflow's cron
	ModeDiscrete = "DISCRETE" // 离散调度: jobs with a cron also wait for it
)

// Overlap policies, named after Temporal's.
const (
	OverlapSkip      = "SKIP"
	OverlapBufferOne = "BUFFER_ONE"
	OverlapBufferAll = "BUFFER_ALL"
	OverlapCancelOld = "CANCEL_OTHER"
	OverlapAllowAll  = "ALLOW_ALL"
)

// Schedule is the 调度 of a workflow.
type Schedule struct {
	Mode                 string     `json:"mode"`
	Cron                 string     `json:"cron"`
	Timezone             string     `json:"timezone"`
	Enabled              bool       `json:"enabled"`
	StartAt              *time.Time `json:"startAt"`
	EndAt                *time.Time `json:"endAt"`
	Overlap              string     `json:"overlap"`
	CatchupWindowSeconds int        `json:"catchupWindowSeconds"`
	// Crons are more cron expressions, read in the same zone with the same
	// calendar and DST policy; the schedule fires at the union of Cron and
	// Crons (a time shared by two fires once).
	Crons    []string          `json:"crons,omitempty"`
	Calendar *ScheduleCalendar `json:"calendar,omitempty"`
	DST      *DSTPolicy        `json:"dst,omitempty"` // nil is read as the defaults, SHIFT and ONCE
}

// ScheduleCalendar names the business calendar a schedule follows:
// policy SKIP fires only on calendar days; DRY_RUN (空跑) fires every day,
// and on other days the run completes at once as SUCCESS with every job
// SKIPPED ("not a calendar day").
type ScheduleCalendar struct {
	ID     string `json:"id"`
	Policy string `json:"policy"`
}

// DSTPolicy is what a schedule does with wall-clock times that do not
// exist (missing: SHIFT fires them shifted forward by the gap, 02:30 →
// 03:30; SKIP drops them) or happen twice (repeated: ONCE fires the first
// occurrence only; TWICE fires both) on daylight-saving change days.
type DSTPolicy struct {
	Missing  string `json:"missing"`
	Repeated string `json:"repeated"`
}

// MaxCrons bounds the expressions of one schedule (cron and crons).
const MaxCrons = 10

// CronList is the schedule's expressions: cron, then crons.
func (s Schedule) CronList() []string {
	var out []string
	if s.Cron != "" {
		out = append(out, s.Cron)
	}
	return append(out, s.Crons...)
}

// FailureStrategy says what a run does after a node fails.
type FailureStrategy string

// Failure strategies.
const (
	FailureContinue FailureStrategy = "CONTINUE" // other branches go on
	FailureEnd      FailureStrategy = "END"      // abort running nodes, start no more
)

// InvokeSetting is the 外部调用 switch.
type InvokeSetting struct {
	Enabled bool `json:"enabled"`
}

// AlarmEvent is a run event an alarm fires on.
type AlarmEvent string

// Alarm events.
const (
	EventRunStart   AlarmEvent = "RUN_START"
	EventRunEnd     AlarmEvent = "RUN_END"
	EventRunFail    AlarmEvent = "RUN_FAIL"
	EventRunSuccess AlarmEvent = "RUN_SUCCESS"
	// EventApprovalWaiting: an APPROVAL node began to wait; the message
	// carries a one-click link to decide it (docs/run-semantics.md#approval-jobs).
	EventApprovalWaiting AlarmEvent = "APPROVAL_WAITING"
	// EventJobTimeout: a job with timeoutAction WARN or WARN_AND_FAIL ran
	// past its timeoutSeconds; EventRunTimeout: the run passed its
	// maxDurationSeconds (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
	EventJobTimeout AlarmEvent = "JOB_TIMEOUT"
	EventRunTimeout AlarmEvent = "RUN_TIMEOUT"
	// Job events: a job started, succeeded or failed (after its retries).
	EventJobStart   AlarmEvent = "JOB_START"
	EventJobSuccess AlarmEvent = "JOB_SUCCESS"
	EventJobFail    AlarmEvent = "JOB_FAIL"
	// Baseline events: a baseline that targets the workflow went to
	// WARNING or BREACHED, or back from WARNING (docs/baselines.md).
	EventBaselineWarning   AlarmEvent = "BASELINE_WARNING"
	EventBaselineBreached  AlarmEvent = "BASELINE_BREACHED"
	EventBaselineRecovered AlarmEvent = "BASELINE_RECOVERED"
)

// Silence is a daily window, "HH:MM" to "HH:MM", in which a rule sends
// nothing.
type Silence struct {
	From string `json:"from" doc:"HH:MM, the window's start"`
	To   string `json:"to" doc:"HH:MM, its end (before From: the window crosses midnight)"`
}

// Holds reports whether the window holds at clock time t (in its zone).
func (s *Silence) Holds(t time.Time) bool {
	if s == nil {
		return false
	}
	from, _ := time.Parse("15:04", s.From)
	to, _ := time.Parse("15:04", s.To)
	m := t.Hour()*60 + t.Minute()
	f, e := from.Hour()*60+from.Minute(), to.Hour()*60+to.Minute()
	if f <= e {
		return m >= f && m < e
	}
	return m >= f || m < e
}

// validate checks the window's clock times.
func (s *Silence) validate(i int) error {
	if s == nil {
		return nil
	}
	for _, v := range []string{s.From, s.To} {
		if _, err := time.Parse("15:04", v); err != nil || len(v) != 5 {
			return InvalidField("alarms", "alarms[%d].silence: %q is not a time of day HH:MM", i, v)
		}
	}
	if s.From == s.To {
		return InvalidField("alarms", "alarms[%d].silence: from and to are the same time", i)
	}
	return nil
}

// IsJobEvent reports whether ev is about one job (a rule's jobIds narrow it).
func IsJobEvent(ev AlarmEvent) bool {
	return ev == EventJobStart || ev == EventJobSuccess || ev == EventJobFail || ev == EventJobTimeout
}

// MaxAlarmJobIDs bounds a rule's jobIds.
const MaxAlarmJobIDs = 100

// What a run does at its maximum duration (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
const (
	OnMaxDurationAlert = "ALERT" // RUN_TIMEOUT, and the run goes on (the default)
	OnMaxDurationFail  = "FAIL"  // RUN_TIMEOUT, its jobs are stopped and it fails
	OnMaxDurationAbort = "ABORT" // RUN_TIMEOUT, and it is aborted
)

// MaxRunDurationSeconds bounds maxDurationSeconds: 31 days.
const MaxRunDurationSeconds = 31 * 24 * 3600

// AlarmRule is one 基线告警 entry: on these events, send to these channels.
type AlarmRule struct {
	Events     []AlarmEvent `json:"events"`
	ChannelIDs []string     `json:"channelIds"`
	// JobIDs narrows the rule's job events to these jobs of the workflow
	// (empty: every job); run events ignore it.
	JobIDs []string `json:"jobIds,omitempty"`
	// Silence holds the rule's alarms back from From to To each day, in
	// the workflow's time zone (a window may cross midnight).
	Silence  *Silence `json:"silence,omitempty"`
	Template string   `json:"template"`
	// RepeatEverySeconds sends the rule's lasting events again while
	// their state lasts, at most MaxRepeats more times: JOB_TIMEOUT while
	// the job still runs, RUN_TIMEOUT while the run does, APPROVAL_WAITING
	// while the node waits (docs/scheduling.md#repeats). Other events are
	// sent once.
	RepeatEverySeconds int `json:"repeatEverySeconds,omitempty" doc:"0 (no repeats) or 60 to 86400"`
	MaxRepeats         int `json:"maxRepeats,omitempty" doc:"repeats after the first alarm, 1 to 100 (default 3 when repeatEverySeconds is set)"`
}

// IsLastingEvent reports whether ev describes a state that lasts, so a
// rule's repeats apply to it.
func IsLastingEvent(ev AlarmEvent) bool {
	return ev == EventJobTimeout || ev == EventRunTimeout || ev == EventApprovalWaiting
}

// Repeats is how many times rule sends a lasting event again (0: none).
func (a AlarmRule) Repeats() int {
	if a.RepeatEverySeconds <= 0 {
		return 0
	}
	if a.MaxRepeats <= 0 {
		return 3
	}
	return a.MaxRepeats
}

// Config defaults and limits.
const (
	DefaultMaxParallelism = 16
	MaxMaxParallelism     = 1000
	DefaultCatchupSeconds = 60
	MaxParams             = 100
)

// DefaultConfig is the config of a new workflow.
func DefaultConfig() WorkflowConfig {
	c := WorkflowConfig{}
	c.Normalize()
	return c
}

// Normalize fills defaults in place.
func (c *WorkflowConfig) Normalize() {
	if c.Schedule.Mode == "" {
		c.Schedule.Mode = ModeSingle
	}
	if c.Schedule.Timezone == "" {
		c.Schedule.Timezone = "Asia/Shanghai"
	}
	if c.Schedule.Overlap == "" {
		c.Schedule.Overlap = OverlapSkip
	}
	if c.Schedule.CatchupWindowSeconds == 0 {
		c.Schedule.CatchupWindowSeconds = DefaultCatchupSeconds
	}
	if c.Schedule.DST == nil {
		c.Schedule.DST = &DSTPolicy{}
	}
	if c.Schedule.DST.Missing == "" {
		c.Schedule.DST.Missing = cron.MissingShift
	}
	if c.Schedule.DST.Repeated == "" {
		c.Schedule.DST.Repeated = cron.RepeatedOnce
	}
	if c.Schedule.Calendar != nil && c.Schedule.Calendar.Policy == "" {
		c.Schedule.Calendar.Policy = cron.CalendarSkip
	}
	if c.FailureStrategy == "" {
		c.FailureStrategy = FailureContinue
	}
	if c.MaxParallelism == 0 {
		c.MaxParallelism = DefaultMaxParallelism
	}
	if c.Alarms == nil {
		c.Alarms = []AlarmRule{}
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Concurrency.Normalize()
}

// Validate normalizes c and checks every field. The cron is checked whenever
// it is given (and required when the schedule is enabled), so a bad cron is
// caught at save time rather than at publish.
func (c *WorkflowConfig) Validate() error {
	c.Normalize()
	if c.MaxDurationSeconds < 0 || c.MaxDurationSeconds > MaxRunDurationSeconds {
		return InvalidField("maxDurationSeconds", "maxDurationSeconds must be between 0 and %d", MaxRunDurationSeconds)
	}
	switch c.OnMaxDuration {
	case "":
		if c.MaxDurationSeconds > 0 {
			c.OnMaxDuration = OnMaxDurationAlert
		}
	case OnMaxDurationAlert, OnMaxDurationFail, OnMaxDurationAbort:
		if c.MaxDurationSeconds == 0 {
			return InvalidField("onMaxDuration", "onMaxDuration needs a maxDurationSeconds")
		}
	default:
		return InvalidField("onMaxDuration", "onMaxDuration must be ALERT, FAIL or ABORT")
	}
	s := c.Schedule
	if s.Mode != ModeSingle && s.Mode != ModeDiscrete {
		return InvalidField("schedule.mode", "schedule.mode must be SINGLE or DISCRETE")
	}
	if s.Enabled && len(s.CronList()) == 0 {
		return InvalidField("schedule.cron", "schedule.cron (or schedule.crons) is required when the schedule is enabled")
	}
	if s.Cron != "" {
		if _, err := cron.Parse(s.Cron); err != nil {
			return InvalidField("schedule.cron", "schedule.cron: %v", err)
		}
	}
	if len(s.CronList()) > MaxCrons {
		return InvalidField("schedule.crons", "a schedule has at most %d cron expressions", MaxCrons)
	}
	for i, x := range s.Crons {
		if _, err := cron.Parse(x); err != nil {
			return InvalidField(fmt.Sprintf("schedule.crons[%d]", i), "schedule.crons[%d]: %v", i, err)
		}
	}
	if err := s.DST.Validate("schedule.dst"); err != nil {
		return err
	}
	if s.Calendar != nil {
		if s.Calendar.ID == "" {
			return InvalidField("schedule.calendar.id", "schedule.calendar.id is required (or leave out schedule.calendar)")
		}
		if s.Calendar.Policy != cron.CalendarSkip && s.Calendar.Policy != cron.CalendarDryRun {
			return InvalidField("schedule.calendar.policy", "schedule.calendar.policy must be SKIP or DRY_RUN")
		}
	}
	if _, err := LoadLocation(s.Timezone); err != nil {
		return err
	}
	if s.StartAt != nil && s.EndAt != nil && !s.EndAt.After(*s.StartAt) {
		return InvalidField("schedule.endAt", "schedule.endAt must be after schedule.startAt")
	}
	switch s.Overlap {
	case OverlapSkip, OverlapBufferOne, OverlapBufferAll, OverlapCancelOld, OverlapAllowAll:
	default:
		return InvalidField("schedule.overlap", "schedule.overlap must be one of SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, ALLOW_ALL")
	}
	if s.CatchupWindowSeconds < 10 || s.CatchupWindowSeconds > 365*24*3600 {
		return InvalidField("schedule.catchupWindowSeconds", "schedule.catchupWindowSeconds must be between 10 and %d", 365*24*3600)
	}
	for i, a := range c.Alarms {
		if len(a.Events) == 0 {
			return InvalidField("alarms", "alarms[%d].events must name at least one event", i)
		}
		for _, e := range a.Events {
			switch e {
			case EventRunStart, EventRunEnd, EventRunFail, EventRunSuccess, EventApprovalWaiting, EventJobTimeout, EventRunTimeout,
				EventJobStart, EventJobSuccess, EventJobFail, EventBaselineWarning, EventBaselineBreached, EventBaselineRecovered:
			default:
				return InvalidField("alarms", "alarms[%d]: unknown event %q (RUN_START, RUN_END, RUN_FAIL, RUN_SUCCESS, RUN_TIMEOUT, JOB_START, JOB_SUCCESS, JOB_FAIL, JOB_TIMEOUT, APPROVAL_WAITING, BASELINE_WARNING, BASELINE_BREACHED, BASELINE_RECOVERED)", i, e)
			}
		}
		if err := a.Silence.validate(i); err != nil {
			return err
		}
		if len(a.JobIDs) > MaxAlarmJobIDs {
			return InvalidField("alarms", "alarms[%d].jobIds: at most %d jobs", i, MaxAlarmJobIDs)
		}
		if len(a.ChannelIDs) == 0 {
			return InvalidField("alarms", "alarms[%d].channelIds must name at least one channel", i)
		}
		if len(a.Template) > 8192 {
			return InvalidField("alarms", "alarms[%d].template must be at most 8192 bytes", i)
		}
		if a.RepeatEverySeconds != 0 && (a.RepeatEverySeconds < 60 || a.RepeatEverySeconds > 86400) {
			return InvalidField("alarms", "alarms[%d].repeatEverySeconds must be 0 or between 60 and 86400", i)
		}
		if a.MaxRepeats < 0 || a.MaxRepeats > 100 || a.MaxRepeats > 0 && a.RepeatEverySeconds == 0 {
			return InvalidField("alarms", "alarms[%d].maxRepeats must be between 1 and 100, with repeatEverySeconds set", i)
		}
	}
	if c.FailureStrategy != FailureContinue && c.FailureStrategy != FailureEnd {
		return InvalidField("failureStrategy", "failureStrategy must be CONTINUE or END")
	}
	if c.MaxParallelism < 1 || c.MaxParallelism > MaxMaxParallelism {
		return InvalidField("maxParallelism", "maxParallelism must be between 1 and %d", MaxMaxParallelism)
	}
	if err := c.Concurrency.Validate(); err != nil {
		return err
	}
	if len(c.Params) > MaxParams {
		return InvalidField("params", "at most %d params", MaxParams)
	}
	for k := range c.Params {
		if !ValidParamName(k) {
			return InvalidField("params", "param name %q must be letters, digits and '_'", k)
		}
	}
	return nil
}

// Validate checks a DST policy; field prefixes the field named in errors.
func (d *DSTPolicy) Validate(field string) error {
	if d == nil {
		return nil
	}
	if d.Missing != "" && d.Missing != cron.MissingShift && d.Missing != cron.MissingSkip {
		return InvalidField(field+".missing", "%s.missing must be SHIFT or SKIP", field)
	}
	if d.Repeated != "" && d.Repeated != cron.RepeatedOnce && d.Repeated != cron.RepeatedTwice {
		return InvalidField(field+".repeated", "%s.repeated must be ONCE or TWICE", field)
	}
	return nil
}

// LoadLocation loads an IANA time zone, as an INVALID error naming it.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, InvalidField("schedule.timezone", "schedule.timezone %q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, InvalidField("schedule.timezone", "schedule.timezone %q is not an IANA time zone", name)
	}
	return loc, nil
}

// ValidParamName reports whether name can be a run parameter (${params.NAME}).
func ValidParamName(name string) bool { return len(name) <= 64 && envNameRE.MatchString(name) }
