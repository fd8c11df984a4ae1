-- Up Migration

-- Sign-in attempts that did not let the person in: a wrong password, an unknown account, or an attempt
-- refused by the sign-in limits. Written by the console, read by compliance.
CREATE TABLE sign_in_attempt (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  email text NOT NULL,
  user_id text,
  ip text NOT NULL,
  user_agent text,
  outcome text NOT NULL CHECK (outcome IN ('bad-password', 'unknown-account', 'blocked')),
  retry_after_ms integer
);
CREATE INDEX sign_in_attempt_at_idx ON sign_in_attempt (at DESC);
CREATE INDEX sign_in_attempt_email_idx ON sign_in_attempt (email, at DESC);

-- Down Migration

DROP TABLE sign_in_attempt;
