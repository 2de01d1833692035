-- Incident API: the id an alerting tool gave an incident, so that the same alert (or the same
-- Alertmanager group, `am:<groupKey>`) sent again updates that incident instead of opening another.
-- SQLite cannot add a UNIQUE column with ALTER TABLE, hence the unique index (NULLs do not collide).

ALTER TABLE incidents ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX incidents_by_external_id ON incidents(external_id);
