-- Up Migration

-- A user disabled by an admin (users.disable, apps/web/src/server/users.ts): their sessions are deleted
-- when they are disabled and a new one cannot be made (better-auth's session hook, apps/web/src/server/auth.ts).
-- better-auth reads "disabledAt" as an additional user field; camel case like its own columns.
ALTER TABLE auth_user ADD COLUMN "disabledAt" timestamptz, ADD COLUMN "disabledBy" text;

-- Down Migration

ALTER TABLE auth_user DROP COLUMN "disabledBy", DROP COLUMN "disabledAt";
