-- Fewer index entries per ticket write (sqlite). Keep in step with postgres/0019_ticket_write_indexes.sql.

-- tickets_resolved served a "recently resolved" view that reads updated_at
-- since; no query reads it, and every ticket write kept it up to date.
DROP INDEX tickets_resolved;

-- Time rules read this index with "last_agent_reply_at <= $1", which implies
-- IS NOT NULL, so a partial index serves them and leaves out every ticket no
-- agent has answered yet: most new tickets, written at the highest rate.
DROP INDEX tickets_last_agent_reply;
CREATE INDEX tickets_last_agent_reply ON tickets (last_agent_reply_at, id) WHERE last_agent_reply_at IS NOT NULL;
