-- Up Migration

-- The right password for a disabled user (users.disable) is a failed sign-in too, kept for compliance.
ALTER TABLE sign_in_attempt DROP CONSTRAINT sign_in_attempt_outcome_check,
  ADD CONSTRAINT sign_in_attempt_outcome_check CHECK (outcome IN ('bad-password', 'unknown-account', 'blocked', 'disabled'));

-- Down Migration

ALTER TABLE sign_in_attempt DROP CONSTRAINT sign_in_attempt_outcome_check,
  ADD CONSTRAINT sign_in_attempt_outcome_check CHECK (outcome IN ('bad-password', 'unknown-account', 'blocked'));
