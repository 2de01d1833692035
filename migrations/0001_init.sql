-- Core tables: incidents, their timeline, runs with their steps, and the audit log.
-- Times are integer milliseconds since the epoch (UTC): comparable in SQL, turned into ISO at the edges.

CREATE TABLE incidents (
  id           TEXT PRIMARY KEY,                 -- short id, INC-42
  seq          INTEGER NOT NULL UNIQUE,
  summary      TEXT NOT NULL,
  severity     TEXT NOT NULL CHECK (severity IN ('P0','P1','P2','P3','P4')),
  status       TEXT NOT NULL,
  service      TEXT,
  environment  TEXT,
  type         TEXT NOT NULL DEFAULT 'any',
  commander    TEXT,
  channel      TEXT UNIQUE,
  fields_json  TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  resolved_at  INTEGER,
  version      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE runs (
  id             TEXT PRIMARY KEY,               -- RUN-7
  seq            INTEGER NOT NULL UNIQUE,
  incident_id    TEXT REFERENCES incidents(id),
  runbook_id     TEXT NOT NULL,
  runbook_json   TEXT NOT NULL,                  -- snapshot of the manifest the run uses
  trigger        TEXT NOT NULL,                  -- manual | incident.created | incident.updated
  trigger_detail TEXT,                           -- why it fired (condition trace) for automatic runs
  requester      TEXT,
  approver       TEXT,
  inputs_json    TEXT NOT NULL DEFAULT '{}',
  state          TEXT NOT NULL,
  error          TEXT,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  finished_at    INTEGER,
  updated_at     INTEGER NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX runs_by_incident ON runs(incident_id, created_at);
CREATE INDEX runs_by_state ON runs(state);

CREATE TABLE run_steps (
  run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx             INTEGER NOT NULL,
  step_id         TEXT NOT NULL,
  uses            TEXT NOT NULL,
  status          TEXT NOT NULL,
  resolved_yaml   TEXT,                          -- harness.pipeline: the exact YAML that is sent
  resolved_json   TEXT,                          -- resolved values, for explain and audit
  dispatching     INTEGER NOT NULL DEFAULT 0,    -- 1 while a non-idempotent start call is in flight
  external_id     TEXT,                          -- e.g. Harness planExecutionId
  external_status TEXT,                          -- raw vendor status
  url             TEXT,
  progress_json   TEXT,                          -- stage progress for the live message
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,                       -- when the engine should look at it next
  deadline_at     INTEGER,                       -- timeout
  started_at      INTEGER,
  finished_at     INTEGER,
  output_json     TEXT,
  error           TEXT,
  error_code      TEXT,
  skip_reason     TEXT,
  PRIMARY KEY (run_id, idx),
  UNIQUE (run_id, step_id)
);
CREATE INDEX run_steps_due ON run_steps(status, next_attempt_at);

CREATE TABLE timeline_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT REFERENCES incidents(id),
  run_id      TEXT REFERENCES runs(id),
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  key_event   INTEGER NOT NULL DEFAULT 0,
  actor       TEXT,
  data_json   TEXT,
  dedupe_key  TEXT UNIQUE                        -- makes engine-written events idempotent across restarts
);
CREATE INDEX timeline_by_incident ON timeline_events(incident_id, at, id);
CREATE INDEX timeline_by_run ON timeline_events(run_id, id);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor       TEXT,
  action      TEXT NOT NULL,
  subject     TEXT,
  detail_json TEXT
);

CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
