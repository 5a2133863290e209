-- Automation time rules, canned replies, notifications and webhooks (sqlite).
-- Keep in step with postgres/0012_automation_time.sql.

-- When a ticket's status last changed, and when the supporter last wrote and
-- staff last replied: the moments time rules count from ("pending for 3
-- days"). The ticket store keeps them. Backfill: updated_at is at or after
-- the last status change, so a time rule never fires early for an old ticket.
ALTER TABLE tickets ADD COLUMN status_changed_at BIGINT;
ALTER TABLE tickets ADD COLUMN last_supporter_message_at BIGINT;
ALTER TABLE tickets ADD COLUMN last_agent_reply_at BIGINT;
UPDATE tickets SET status_changed_at = updated_at,
    last_supporter_message_at = (SELECT MAX(m.created_at) FROM messages m WHERE m.ticket_id = tickets.id AND m.direction = 'in'),
    last_agent_reply_at = (SELECT MAX(m.created_at) FROM messages m WHERE m.ticket_id = tickets.id AND m.direction = 'out');
-- A time rule reads only the tickets whose moment passed its threshold since
-- its last run: a range of one of these indexes, never the whole table.
CREATE INDEX tickets_created_at ON tickets (created_at, id);
CREATE INDEX tickets_status_changed ON tickets (status_changed_at, id);
CREATE INDEX tickets_last_supporter_message ON tickets (last_supporter_message_at, id);
CREATE INDEX tickets_last_agent_reply ON tickets (last_agent_reply_at, id);

-- webhook_secret signs the rule's webhook calls; time_cursor_* is how far a
-- time rule has read its index (moment, ticket id).
ALTER TABLE automation_rules ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE automation_rules ADD COLUMN time_cursor_at BIGINT;
ALTER TABLE automation_rules ADD COLUMN time_cursor_id BIGINT;

-- A time rule fires at most once per ticket per episode: episode_at is the
-- moment it counted from (e.g. status_changed_at), so a new status is a new
-- episode and a restart or a second node is not.
CREATE TABLE automation_firings (
    id         INTEGER PRIMARY KEY,
    rule_id    BIGINT NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    episode_at BIGINT NOT NULL,
    fired_at   BIGINT NOT NULL,
    error      TEXT   NOT NULL DEFAULT '',
    UNIQUE (rule_id, ticket_id, episode_at)
);
CREATE INDEX automation_firings_ticket ON automation_firings (ticket_id, id);

-- Webhook calls: the payload as fixed when the rule ran, and how delivery went.
CREATE TABLE automation_webhooks (
    id              INTEGER PRIMARY KEY,
    rule_id         BIGINT  NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
    ticket_id       BIGINT  REFERENCES tickets (id) ON DELETE SET NULL,
    url             TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX automation_webhooks_rule ON automation_webhooks (rule_id, id);
