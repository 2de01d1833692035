-- Test incidents (issue 8): marked everywhere, never close deployment gates, run `staging:` pipelines
-- and send external follow-ups to their staging settings (or skip them). Fixed at creation.
ALTER TABLE incidents ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0;
