-- Up Migration

-- API keys for programs. Only the SHA-256 of the full secret is kept; the secret is shown once.
CREATE TABLE api_key (
  id text PRIMARY KEY,
  name text NOT NULL,
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('trader', 'risk', 'compliance', 'admin')),
  account_ids text[] NOT NULL DEFAULT '{}',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by text,
  last_used_at timestamptz
);

-- Down Migration

DROP TABLE api_key;
