-- Deployment gates: where each gate's Harness freeze window lives (org/project; both NULL at account
-- level), so a window whose gate was deleted from the manifests, stopped mirroring or moved to
-- another scope can still be found and disabled. scope_known = 0 for rows written before this
-- migration (their scope was never recorded).
ALTER TABLE gate_freeze_sync ADD COLUMN org TEXT;
ALTER TABLE gate_freeze_sync ADD COLUMN project TEXT;
ALTER TABLE gate_freeze_sync ADD COLUMN scope_known INTEGER NOT NULL DEFAULT 0;
