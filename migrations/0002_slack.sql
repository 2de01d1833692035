-- Slack support: idempotency keys for retried deliveries and double submits, the one live message
-- each run owns, and the pinned summary message of each incident.

CREATE TABLE idempotency_keys (
  key        TEXT PRIMARY KEY,                  -- e.g. a view id + hash, or an event id
  created_at INTEGER NOT NULL,
  result     TEXT                               -- what the first delivery produced (e.g. a run id)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);

CREATE TABLE run_messages (
  run_id        TEXT PRIMARY KEY REFERENCES runs(id),
  channel       TEXT NOT NULL,
  ts            TEXT,                           -- NULL until chat.postMessage answered
  last_event_id INTEGER NOT NULL DEFAULT 0,     -- timeline events up to this id are in the thread
  last_hash     TEXT,                           -- hash of the last blocks sent, to skip no-op updates
  updated_at    INTEGER NOT NULL
);

CREATE TABLE incident_messages (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
  channel     TEXT NOT NULL,
  ts          TEXT NOT NULL                     -- the pinned summary message
);
