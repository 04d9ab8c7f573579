-- Initial schema. Message text lives only in evidence.text (a case's evidence, purged after the
-- retention period); everything else keeps ids, scores and SHA-256 hashes.

CREATE TABLE communities (
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    policy_pack TEXT NOT NULL DEFAULT 'default',
    locale TEXT NOT NULL DEFAULT 'en',
    has_minors INTEGER NOT NULL DEFAULT 0,
    shadow INTEGER NOT NULL DEFAULT 0,
    moderator_channel_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, community_id)
);

-- One row per decided message; message_key is the idempotency key (platform message id).
CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    flagged INTEGER NOT NULL,
    labels TEXT NOT NULL,
    scores TEXT NOT NULL,
    model_id TEXT NOT NULL,
    effects TEXT NOT NULL,
    shadow_effects TEXT NOT NULL,
    case_id INTEGER,
    decided_at TEXT NOT NULL
);
CREATE INDEX verdicts_community_time ON verdicts (platform, community_id, decided_at);
CREATE INDEX verdicts_sender ON verdicts (platform, sender_id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    status TEXT NOT NULL,
    severity INTEGER NOT NULL,
    labels TEXT NOT NULL,
    policies TEXT NOT NULL,
    recipients TEXT NOT NULL,
    sender_account_age_s REAL,
    sender_membership_age_s REAL,
    claimed_by TEXT,
    claimed_at TEXT,
    moderator_message_ref TEXT,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
-- One open case per sender per community: new evidence updates it.
CREATE UNIQUE INDEX cases_one_open ON cases (platform, community_id, sender_id) WHERE status = 'open';
CREATE INDEX cases_community ON cases (platform, community_id, status);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    recipients TEXT NOT NULL,
    text TEXT,
    text_sha256 TEXT NOT NULL,
    scores TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    purge_after TEXT NOT NULL,
    UNIQUE (case_id, message_id)
);
CREATE INDEX evidence_purge ON evidence (purge_after) WHERE text IS NOT NULL;

-- The audit trail: who did what, when, why, and which policy.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    policy TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Effects decided and not yet sent. Written in the same transaction as the verdict.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    verdict_id INTEGER REFERENCES verdicts (id) ON DELETE SET NULL,
    case_id INTEGER REFERENCES cases (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    policy TEXT NOT NULL,
    target_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    result_ref TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);

CREATE TABLE conversation_state (
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    risk REAL NOT NULL,
    signals TEXT NOT NULL,
    message_count INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, community_id, conversation_id, sender_id)
);

CREATE TABLE sender_state (
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    risk REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, community_id, sender_id)
);

-- Hashes of recent normalised texts per sender, to see one text sent to many people.
CREATE TABLE recent_texts (
    platform TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (platform, sender_id, text_sha256, conversation_id)
);

-- Moderator decisions as training labels (no text; the hash links to evidence while it exists).
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    labels TEXT NOT NULL,
    policies TEXT NOT NULL,
    moderator_id TEXT NOT NULL,
    at TEXT NOT NULL
);
