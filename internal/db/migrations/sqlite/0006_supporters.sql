-- Supporter profiles, giving, consent, merges and macros (SQLite).
-- Keep in step with postgres/0006_supporters.sql. Times are Unix milliseconds.

-- Names: name stays the display name; family/given order is per language.
ALTER TABLE supporters ADD COLUMN family_name TEXT NOT NULL DEFAULT '';
ALTER TABLE supporters ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
-- Honorific: Ms, Mr, Dr (en), 先生, 女士 (zh); Japanese uses 様 by default.
ALTER TABLE supporters ADD COLUMN honorific TEXT NOT NULL DEFAULT '';
ALTER TABLE supporters ADD COLUMN preferred_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE supporters ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE supporters ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE supporters ADD COLUMN household TEXT NOT NULL DEFAULT '';
-- supporter_since is derived: the earliest of since_manual, member_since and
-- the first gift (supporter.RefreshSince keeps it).
ALTER TABLE supporters ADD COLUMN since_manual BIGINT;
ALTER TABLE supporters ADD COLUMN member_since BIGINT;
ALTER TABLE supporters ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0;
-- A merged supporter keeps its row (for undo) and points at the survivor.
ALTER TABLE supporters ADD COLUMN merged_into BIGINT;
ALTER TABLE supporters ADD COLUMN erased_at BIGINT;

UPDATE supporters SET since_manual = supporter_since;

CREATE TABLE supporter_tags (
    supporter_id BIGINT NOT NULL REFERENCES supporters (id) ON DELETE CASCADE,
    tag          TEXT   NOT NULL,
    PRIMARY KEY (supporter_id, tag)
);
CREATE INDEX supporter_tags_tag ON supporter_tags (tag);

-- Per-channel consent (email, phone, sms, post, social); no row = not asked.
CREATE TABLE supporter_consent (
    supporter_id BIGINT  NOT NULL REFERENCES supporters (id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    granted      INTEGER NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (supporter_id, channel)
);

-- Ids a supporter has in other systems (CiviCRM contact id, Stripe customer):
-- what makes a re-import idempotent.
CREATE TABLE supporter_external_ids (
    source       TEXT   NOT NULL,
    external_id  TEXT   NOT NULL,
    supporter_id BIGINT NOT NULL REFERENCES supporters (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);
CREATE INDEX supporter_external_ids_supporter ON supporter_external_ids (supporter_id);

-- Gifts. amount_minor is in the currency's ISO 4217 minor unit (JPY 0
-- decimals, CNY and TWD 2). (source, source_key) makes every source
-- idempotent: an import row hash or id, a Stripe payment id.
CREATE TABLE donations (
    id             INTEGER PRIMARY KEY,
    supporter_id   BIGINT  NOT NULL REFERENCES supporters (id),
    amount_minor   BIGINT  NOT NULL,
    currency       TEXT    NOT NULL,
    donated_at     BIGINT  NOT NULL,
    campaign       TEXT    NOT NULL DEFAULT '',
    recurring      INTEGER NOT NULL DEFAULT 0,
    payment_method TEXT    NOT NULL DEFAULT '',
    source         TEXT    NOT NULL,
    source_key     TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    UNIQUE (source, source_key)
);
CREATE INDEX donations_supporter ON donations (supporter_id, donated_at);

-- A merge records what it moved so that it can be undone.
CREATE TABLE supporter_merges (
    id         INTEGER PRIMARY KEY,
    winner_id  BIGINT NOT NULL,
    loser_id   BIGINT NOT NULL,
    moved      TEXT   NOT NULL,
    merged_at  BIGINT NOT NULL,
    undone_at  BIGINT
);
CREATE INDEX supporter_merges_winner ON supporter_merges (winner_id);
CREATE INDEX supporter_merges_loser ON supporter_merges (loser_id);

-- Canned replies; language '' is any language.
CREATE TABLE macros (
    id                INTEGER PRIMARY KEY,
    name              TEXT   NOT NULL,
    language          TEXT   NOT NULL DEFAULT '',
    body              TEXT   NOT NULL,
    set_status        TEXT   NOT NULL DEFAULT '',
    set_tags          TEXT   NOT NULL DEFAULT '',
    set_department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (name, language)
);
