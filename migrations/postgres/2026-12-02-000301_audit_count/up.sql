-- Failed authentications are stored aggregated: one entry per client address and minute, with
-- the number of requests it stands for (1 for every other entry).
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
