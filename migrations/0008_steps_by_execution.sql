-- A Harness push names an execution; finding the step that watches it must not scan every running
-- step (10,000 watched runs × a burst of events). See src/http/harness-events.ts.
CREATE INDEX IF NOT EXISTS run_steps_by_external_id ON run_steps(external_id);
