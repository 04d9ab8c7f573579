-- What a person warned on a case answered ("this was fine"): once per person and case, with the
-- policies whose warnings reached them. Their word for the moderators, never a decision.
CREATE TABLE recipient_feedback (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    policies TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (case_id, recipient_id)
);
CREATE INDEX recipient_feedback_community ON recipient_feedback (platform, community_id, at);
CREATE INDEX recipient_feedback_recipient ON recipient_feedback (platform, recipient_id);
