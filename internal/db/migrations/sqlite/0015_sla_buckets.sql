-- Timer buckets: one River job per minute of SLA warnings (or breaches)
-- instead of one per ticket. A row says "the job for this minute is
-- scheduled"; the transaction that inserts the row inserts the job.
-- See internal/sla/buckets.go.
CREATE TABLE sla_buckets (
    event    TEXT   NOT NULL,
    until_at BIGINT NOT NULL,
    PRIMARY KEY (event, until_at)
);
