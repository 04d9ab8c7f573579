-- Outbox leases: several dispatcher processes share one outbox, and a row is sent by one of
-- them at a time. Portable SQL (SQLite and PostgreSQL).
--
-- claimed_by:    the dispatcher's name (MODBOT_CONSUMER_NAME; unique among live processes)
-- claim_id:      that process's run (a random token per start), so a restarted process can
--                take back at once the rows its previous run was holding when it died
-- claimed_until: the lease; past it, any dispatcher may claim the row again
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_id TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
CREATE INDEX outbox_claims ON outbox (claim_id);
