-- The repeat number of a lasting alarm sent again (docs/scheduling.md#repeats),
-- 0 for its first send; part of the key that sends each alarm once.
ALTER TABLE alarm_records ADD COLUMN repeat_no INTEGER NOT NULL DEFAULT 0;
