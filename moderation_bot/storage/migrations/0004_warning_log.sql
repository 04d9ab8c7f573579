-- When each person was last warned about each sender, so a frightened person is not warned
-- again and again about the same thing (the pack's warning_cooldown).
CREATE TABLE warnings_sent (
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    severity INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (platform, community_id, recipient_id, sender_id)
);
