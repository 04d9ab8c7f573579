-- Campaigns: the same or near-same text sent to many people, or by many accounts, in one
-- community. For each message decided on the full path, one row per band of its fingerprint
-- (moderation_bot.conversation.campaign_bands: keys hashed from hashes, never text) and per
-- person it reached (recipient_id '' when it named nobody), with the case it went to. Kept
-- for the pack's campaign window, at most 48 hours. Replaces recent_texts (exact hashes, one
-- sender at a time).
CREATE TABLE campaign_marks (
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    band TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    case_id INTEGER REFERENCES cases (id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (platform, community_id, band, sender_id, conversation_id, recipient_id)
);
CREATE INDEX campaign_marks_at ON campaign_marks (at);
CREATE INDEX campaign_marks_sender ON campaign_marks (platform, sender_id);
CREATE INDEX campaign_marks_recipient ON campaign_marks (platform, recipient_id);
DROP TABLE recent_texts;
