-- Email channel, intake idempotency, threading references and the outbox (SQLite).
-- Keep in step with postgres/0002_email.sql.

CREATE TABLE mailboxes (
    id               INTEGER PRIMARY KEY,
    address          TEXT   NOT NULL UNIQUE,
    name             TEXT   NOT NULL DEFAULT '',
    department_id    BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    imap_url         TEXT   NOT NULL DEFAULT '',
    smtp_url         TEXT   NOT NULL DEFAULT '',
    imap_uidvalidity BIGINT NOT NULL DEFAULT 0,
    imap_last_uid    BIGINT NOT NULL DEFAULT 0,
    last_fetch_at    BIGINT,
    last_error       TEXT   NOT NULL DEFAULT '',
    last_error_at    BIGINT,
    created_at       BIGINT NOT NULL
);

-- One row per accepted inbound item: a redelivery of the same source key is a no-op.
CREATE TABLE inbound_keys (
    channel     TEXT   NOT NULL,
    source_key  TEXT   NOT NULL,
    ticket_id   BIGINT,
    message_id  BIGINT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel, source_key)
);

-- Every RFC 5322 Message-ID Steward has seen or sent, for threading.
CREATE TABLE email_refs (
    rfc_id       TEXT   PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id   BIGINT REFERENCES messages (id) ON DELETE CASCADE,
    supporter_id BIGINT,
    direction    TEXT   NOT NULL,
    thread_root  TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX email_refs_root ON email_refs (supporter_id, thread_root);
CREATE INDEX email_refs_ticket ON email_refs (ticket_id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id  BIGINT  REFERENCES messages (id) ON DELETE CASCADE,
    mailbox_id  BIGINT  REFERENCES mailboxes (id) ON DELETE SET NULL,
    kind        TEXT    NOT NULL,
    to_addr     TEXT    NOT NULL,
    to_name     TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL,
    body_text   TEXT    NOT NULL,
    rfc_id      TEXT    NOT NULL UNIQUE,
    in_reply_to TEXT    NOT NULL DEFAULT '',
    refs        TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'queued',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    sent_at     BIGINT,
    bounced_at  BIGINT
);
CREATE INDEX outbox_message ON outbox (message_id);
CREATE INDEX outbox_recipient ON outbox (to_addr, kind, created_at);

-- Mail that could not be parsed at all: kept, never dropped, shown to admins.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    mailbox_id  BIGINT,
    source      TEXT   NOT NULL,
    raw_sha256  TEXT   NOT NULL,
    size        BIGINT NOT NULL,
    reason      TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    resolved_at BIGINT
);

ALTER TABLE messages ADD COLUMN raw_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN from_addr TEXT NOT NULL DEFAULT '';

-- Installation-wide secrets shared by every node (e.g. the key that signs
-- reply tokens), created on first use.
CREATE TABLE secrets (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- The mailbox a ticket's mail came in through; replies go out through it.
ALTER TABLE tickets ADD COLUMN mailbox_id BIGINT;
