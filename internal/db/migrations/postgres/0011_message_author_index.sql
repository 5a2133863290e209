-- Tone detection counts a supporter's recent messages on every inbound
-- message; without this index that is a scan of every message.
CREATE INDEX messages_author_supporter ON messages (author_supporter_id, created_at);
