-- A community's own changes to its policy pack (thresholds, disabled or shadowed policies) as
-- JSON, and the role or group whose members act as its moderators on platforms that have roles.
ALTER TABLE communities ADD COLUMN policy_overrides TEXT NOT NULL DEFAULT '{}';
ALTER TABLE communities ADD COLUMN moderator_role_id TEXT;
