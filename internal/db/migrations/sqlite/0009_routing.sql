-- Routing and assignment (sqlite). Keep in step with postgres/0009_routing.sql.

-- Each category belongs to at most one department.
CREATE TABLE department_categories (
    category      TEXT   NOT NULL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE
);

-- How a department hands out its tickets: round_robin or least_load, and
-- the round-robin cursor.
CREATE TABLE department_routing (
    department_id BIGINT NOT NULL PRIMARY KEY REFERENCES departments (id) ON DELETE CASCADE,
    strategy      TEXT   NOT NULL DEFAULT 'round_robin',
    last_user_id  BIGINT NOT NULL DEFAULT 0
);

-- An agent's spoken languages (comma-separated; '' = any) and away status.
CREATE TABLE user_routing (
    user_id   BIGINT  NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    languages TEXT    NOT NULL DEFAULT '',
    away      INTEGER NOT NULL DEFAULT 0
);

-- Ordered rules: the first active rule whose every non-empty list matches
-- sends a new ticket to its department (lists are comma-separated;
-- keywords match the subject and first message, case-insensitively).
CREATE TABLE routing_rules (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    position       INTEGER NOT NULL DEFAULT 100,
    active         INTEGER NOT NULL DEFAULT 1,
    match_channels TEXT    NOT NULL DEFAULT '',
    match_mailboxes TEXT   NOT NULL DEFAULT '',
    match_keywords TEXT    NOT NULL DEFAULT '',
    match_categories TEXT  NOT NULL DEFAULT '',
    match_languages TEXT   NOT NULL DEFAULT '',
    match_segments TEXT    NOT NULL DEFAULT '',
    department_id  BIGINT  NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    set_category   TEXT    NOT NULL DEFAULT '',
    set_priority   TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
