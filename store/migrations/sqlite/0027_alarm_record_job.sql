-- The job of a job alarm event (JOB_START … JOB_TIMEOUT, APPROVAL_WAITING),
-- '' for a run event; with run, event and channel it keys the check that
-- an alarm is sent once (docs/scheduling.md#alarms).
ALTER TABLE alarm_records ADD COLUMN job_id TEXT NOT NULL DEFAULT '';
CREATE INDEX alarm_records_sent_idx ON alarm_records (run_id, event, channel_id);
