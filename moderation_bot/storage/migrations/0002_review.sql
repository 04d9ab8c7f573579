-- The moderators' review web UI: one-time sign-in links and browser sessions.
-- Portable SQL (SQLite and PostgreSQL). Secrets are never stored: only their SHA-256.

-- A link handed to one moderator of one community by the bot (/modbot dashboard).
CREATE TABLE review_signin_links (
    token_sha256 TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    moderator_id TEXT NOT NULL,
    moderator_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX review_signin_links_expiry ON review_signin_links (expires_at);
CREATE INDEX review_signin_links_moderator ON review_signin_links (platform, moderator_id);

-- A browser session, keyed by the SHA-256 of the cookie value.
CREATE TABLE review_sessions (
    session_sha256 TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX review_sessions_expiry ON review_sessions (expires_at);

-- What a session may see: one row per community a sign-in link was used for, with the
-- moderator identity that acts there.
CREATE TABLE review_session_grants (
    session_sha256 TEXT NOT NULL REFERENCES review_sessions (session_sha256) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    community_id TEXT NOT NULL,
    moderator_id TEXT NOT NULL,
    moderator_name TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (session_sha256, platform, community_id)
);
