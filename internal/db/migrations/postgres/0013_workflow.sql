-- Working hours, slip notices and editable supporter texts (postgres). Keep in
-- step with sqlite/0013_workflow.sql.

-- An agent's working hours are a business calendar (time zone, shifts,
-- holidays); NULL means no working hours are set: always on shift.
ALTER TABLE user_routing ADD COLUMN calendar_id BIGINT REFERENCES business_calendars (id) ON DELETE SET NULL;

-- The notice that tells the supporter a promised follow-up slipped: when it
-- was queued and what became of it (queued, suppressed, no_address).
ALTER TABLE ticket_followups ADD COLUMN slip_notice_at BIGINT;
ALTER TABLE ticket_followups ADD COLUMN slip_notice TEXT NOT NULL DEFAULT '';

-- Supporter-facing texts that admins edit per language (holding_reply,
-- slip_notice); a missing row means the built-in default.
CREATE TABLE message_templates (
    name       TEXT   NOT NULL,
    language   TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (name, language)
);
