-- Deployment gates: manual overrides per incident (/incident freeze|unfreeze), the holds last
-- announced (a change is announced once; `since` survives restarts), and the Harness freeze sync
-- state per gate (the last error, so a failure and its recovery are each reported once).
CREATE TABLE IF NOT EXISTS gate_overrides (
  incident_id TEXT PRIMARY KEY,
  mode        TEXT NOT NULL,
  reason      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  at          INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_holds (
  gate_id     TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  since       INTEGER NOT NULL,
  PRIMARY KEY (gate_id, incident_id)
);
CREATE TABLE IF NOT EXISTS gate_freeze_sync (
  gate_id       TEXT PRIMARY KEY,
  error         TEXT,
  failing_since INTEGER,
  synced_at     INTEGER
);
