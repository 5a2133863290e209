-- Service levels (sqlite): business calendars, SLA policies, each ticket's
-- targets and promised follow-ups. Keep in step with postgres/0005_sla.sql.

CREATE TABLE business_calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    time_zone  TEXT   NOT NULL,
    -- {"mon": ["09:00-12:00", "13:00-17:00"], …}; "22:00-26:00" runs past midnight.
    hours      TEXT   NOT NULL DEFAULT '{}',
    version    BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_holidays (
    calendar_id BIGINT NOT NULL REFERENCES business_calendars (id) ON DELETE CASCADE,
    day         TEXT   NOT NULL,
    name        TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, day)
);

-- Policies are tried in position order; the first whose every non-empty
-- match list contains the ticket's value applies. Lists are comma-separated.
CREATE TABLE sla_policies (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT    NOT NULL,
    position                INTEGER NOT NULL DEFAULT 100,
    active                  INTEGER NOT NULL DEFAULT 1,
    calendar_id             BIGINT  NOT NULL REFERENCES business_calendars (id),
    match_channels          TEXT    NOT NULL DEFAULT '',
    match_types             TEXT    NOT NULL DEFAULT '',
    match_priorities        TEXT    NOT NULL DEFAULT '',
    match_departments       TEXT    NOT NULL DEFAULT '',
    match_languages         TEXT    NOT NULL DEFAULT '',
    match_segments          TEXT    NOT NULL DEFAULT '',
    -- Minutes of business time; NULL: no such target.
    first_response_minutes  INTEGER,
    -- 1: the first-response target is the organisation's promise (organisation.first_reply_minutes).
    first_response_org      INTEGER NOT NULL DEFAULT 0,
    next_response_minutes   INTEGER,
    progress_update_minutes INTEGER,
    resolution_minutes      INTEGER,
    warning_percent         INTEGER NOT NULL DEFAULT 75,
    pause_statuses          TEXT    NOT NULL DEFAULT 'pending',
    -- {"warning": ["assignee"], "breach": [{"after_minutes": 0, "notify": "assignee"}, …]}
    escalation              TEXT    NOT NULL DEFAULT '',
    created_at              BIGINT  NOT NULL,
    updated_at              BIGINT  NOT NULL
);

-- One row per ticket and target. A running target is due at
-- DueAt(anchor_at, budget_ms + paused_ms) on its calendar; version changes
-- whenever due_at or warn_at do, and timer jobs carry the version they were
-- scheduled for, so a stale timer is a no-op.
CREATE TABLE ticket_sla (
    ticket_id       BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target          TEXT    NOT NULL,
    policy_id       BIGINT,
    calendar_id     BIGINT  NOT NULL,
    budget_ms       BIGINT  NOT NULL,
    anchor_at       BIGINT  NOT NULL,
    paused_ms       BIGINT  NOT NULL DEFAULT 0,
    paused_since    BIGINT,
    due_at          BIGINT,
    warn_at         BIGINT,
    met_at          BIGINT,
    warned_at       BIGINT,
    breached_at     BIGINT,
    escalation_step INTEGER NOT NULL DEFAULT 0,
    version         BIGINT  NOT NULL DEFAULT 1,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, target)
);
CREATE INDEX ticket_sla_calendar ON ticket_sla (calendar_id, ticket_id);
-- Minute-bucket timers (after a calendar change) find their targets by time.
CREATE INDEX ticket_sla_due ON ticket_sla (due_at);
CREATE INDEX ticket_sla_warn ON ticket_sla (warn_at);

-- The earliest running due time of a ticket, for "due soonest" inbox order.
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
CREATE INDEX tickets_group_due ON tickets (status_group, sla_due_at, id);

-- A promised follow-up (pending investigation): remind before, alert when it slips.
CREATE TABLE ticket_followups (
    ticket_id   BIGINT NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    due_at      BIGINT NOT NULL,
    promised_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reminded_at BIGINT,
    slipped_at  BIGINT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

-- What SLA timers told staff: shown on the ticket and in the person's notifications.
CREATE TABLE sla_notifications (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target     TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    step       INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX sla_notifications_user ON sla_notifications (user_id, id);
CREATE INDEX sla_notifications_ticket ON sla_notifications (ticket_id, id);

INSERT INTO business_calendars (id, name, time_zone, hours, version, created_at, updated_at) VALUES (1, '24/7', 'UTC',
    '{"sun":["00:00-24:00"],"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"]}', 1, 0, 0);
INSERT INTO sla_policies (id, name, position, calendar_id, first_response_org, created_at, updated_at)
    VALUES (1, 'Organisation promise', 1000, 1, 1, 0, 0);
