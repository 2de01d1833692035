-- Triggers and approvals: per incident/runbook/trigger firing state (edge detection, once, cooldown)
-- and the approval columns of runs.

CREATE TABLE trigger_state (
  incident_id   TEXT NOT NULL REFERENCES incidents(id),
  runbook_id    TEXT NOT NULL,
  trigger_index INTEGER NOT NULL,               -- position in the runbook's triggers: list
  armed         INTEGER NOT NULL DEFAULT 1,     -- 0 after a firing until the condition is seen false
  last_fired_at INTEGER,
  fire_count    INTEGER NOT NULL DEFAULT 0,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (incident_id, runbook_id, trigger_index)
);

ALTER TABLE runs ADD COLUMN approval_expires_at INTEGER;  -- set while a run awaits approval
ALTER TABLE runs ADD COLUMN decided_at INTEGER;           -- approved, rejected or expired at
ALTER TABLE runs ADD COLUMN decided_by TEXT;              -- who approved or rejected (NULL: expired)
ALTER TABLE runs ADD COLUMN trigger_index INTEGER;        -- which trigger fired (re-checked at approval)
CREATE INDEX runs_awaiting_approval ON runs(state, approval_expires_at);
