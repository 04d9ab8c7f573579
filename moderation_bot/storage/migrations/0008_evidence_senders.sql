-- Cases joined by several accounts (campaigns): each evidence row keeps its own sender's account
-- and membership age, so moderators see every sender's, not only the first one's; and an index
-- to find the cases a sender is in through their evidence (open cases in other communities).
ALTER TABLE evidence ADD COLUMN sender_account_age_s REAL;
ALTER TABLE evidence ADD COLUMN sender_membership_age_s REAL;
CREATE INDEX evidence_sender ON evidence (platform, sender_id);
