-- Automation rules (sqlite). Keep in step with postgres/0010_automation.sql.
-- conditions: [{"field": "priority", "op": "eq", "value": "urgent"}, …] (all must hold);
-- actions: [{"type": "add_tag", "value": "vip"}, …], applied in order.
CREATE TABLE automation_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    position   INTEGER NOT NULL DEFAULT 100,
    active     INTEGER NOT NULL DEFAULT 1,
    event      TEXT    NOT NULL,
    conditions TEXT    NOT NULL DEFAULT '[]',
    actions    TEXT    NOT NULL DEFAULT '[]',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
