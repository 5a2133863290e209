-- Steward core schema (SQLite). Keep in step with postgres/0001_core.sql:
-- TestSchemasMatch compares the two. Times are Unix milliseconds.

CREATE TABLE organisation (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    name                TEXT    NOT NULL,
    time_zone           TEXT    NOT NULL DEFAULT 'UTC',
    languages           TEXT    NOT NULL DEFAULT 'en,ja,zh',
    default_language    TEXT    NOT NULL DEFAULT 'en',
    first_reply_minutes INTEGER NOT NULL DEFAULT 1440,
    service_scope       TEXT    NOT NULL DEFAULT '',
    updated_at          BIGINT  NOT NULL
);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    password_hash TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE user_departments (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);
CREATE INDEX user_departments_department ON user_departments (department_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   BLOB   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE sessions (
    token_hash   BLOB   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT   NOT NULL,
    ip     TEXT   NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE supporters (
    id              INTEGER PRIMARY KEY,
    name            TEXT   NOT NULL DEFAULT '',
    email           TEXT   NOT NULL DEFAULT '',
    language        TEXT   NOT NULL DEFAULT '',
    supporter_since BIGINT,
    notes           TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX supporters_name ON supporters (name);

CREATE TABLE supporter_identities (
    id           INTEGER PRIMARY KEY,
    supporter_id BIGINT NOT NULL REFERENCES supporters (id) ON DELETE CASCADE,
    kind         TEXT   NOT NULL CHECK (kind IN ('email', 'phone', 'handle')),
    value        TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX supporter_identities_supporter ON supporter_identities (supporter_id);

-- status_group is derived from status (open: new/open; pending: pending,
-- pending-investigation; done: resolved/closed) so that inbox views and their
-- counts are single index range scans.
CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    number            BIGINT  NOT NULL UNIQUE,
    subject           TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    status_group      TEXT    NOT NULL,
    priority          TEXT    NOT NULL DEFAULT 'normal',
    type              TEXT    NOT NULL DEFAULT 'inquiry',
    category          TEXT    NOT NULL DEFAULT '',
    channel           TEXT    NOT NULL DEFAULT 'web',
    department_id     BIGINT  REFERENCES departments (id) ON DELETE SET NULL,
    assignee_id       BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    supporter_id      BIGINT  NOT NULL REFERENCES supporters (id),
    language          TEXT    NOT NULL DEFAULT '',
    preview           TEXT    NOT NULL DEFAULT '',
    message_count     INTEGER NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    first_response_at BIGINT,
    resolved_at       BIGINT
);
CREATE INDEX tickets_group_updated ON tickets (status_group, updated_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status_group, updated_at DESC, id DESC);
CREATE INDEX tickets_department ON tickets (department_id, status_group, updated_at DESC, id DESC);
CREATE INDEX tickets_supporter ON tickets (supporter_id, created_at DESC);
CREATE INDEX tickets_resolved ON tickets (status_group, resolved_at DESC, id DESC);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT   NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    ticket_id           BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    direction           TEXT   NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    author_user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_supporter_id BIGINT REFERENCES supporters (id) ON DELETE SET NULL,
    body_text           TEXT   NOT NULL DEFAULT '',
    body_html           TEXT   NOT NULL DEFAULT '',
    language            TEXT   NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    filename     TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT   NOT NULL DEFAULT '',
    action      TEXT   NOT NULL,
    object_type TEXT   NOT NULL,
    object_id   BIGINT,
    detail      TEXT   NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

INSERT INTO organisation (id, name, time_zone, updated_at) VALUES (1, 'Steward', 'UTC', 0);
