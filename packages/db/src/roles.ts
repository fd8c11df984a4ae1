import pg from "pg";

/**
 * Database roles. The owner (who runs migrations) owns every table; the engine and the console
 * log in as roles that own nothing, so they cannot ALTER a table, disable its triggers or
 * TRUNCATE it, and the journal is INSERT and SELECT only for them. Grants are applied after every
 * migration run (`grantRoles`), so a table a later migration adds is covered by the same rule.
 */
export const ENGINE_ROLE = "fillmore_engine";
export const CONSOLE_ROLE = "fillmore_console";

/** Append-only tables: INSERT and SELECT for the engine, SELECT for the console. */
export const APPEND_ONLY_TABLES = ["journal"] as const;
/**
 * Tables the console writes, with what it may do there (better-auth's `auth_*` and any `console_*`
 * table: INSERT, UPDATE, DELETE). The engine only reads them. A table the console writes must be
 * listed here or named `auth_*`/`console_*`, or the console's role is refused.
 */
export const CONSOLE_TABLES: Readonly<Record<string, string>> = {
  api_key: "INSERT, UPDATE, DELETE",
  /** Failed sign-ins, kept for compliance: the console adds records, never edits them. */
  sign_in_attempt: "INSERT",
};
/** Bookkeeping nobody but the owner writes. */
const OWNER_ONLY_TABLES = ["pgmigrations"];

function consolePrivileges(table: string): string | undefined {
  if (table.startsWith("auth_") || table.startsWith("console_")) return "INSERT, UPDATE, DELETE";
  return CONSOLE_TABLES[table];
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The same server and database as `url`, logged in as `user`. */
export function urlForRole(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Creates a login role with no other attributes (not a superuser, cannot create roles or
 * databases), or resets an existing one's password and attributes. Needs CREATEROLE.
 */
export async function ensureLoginRole(ownerUrl: string, name: string, password: string): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const role = client.escapeIdentifier(name);
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`;
    const { rowCount } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
    if (!rowCount) {
      try {
        await client.query(`CREATE ROLE ${role} ${attributes}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "42710") throw error; // created meanwhile
      }
    }
    await client.query(`ALTER ROLE ${role} ${attributes}`);
  });
}

/**
 * Grants, in the database of `ownerUrl` (connect as the tables' owner):
 * - engine: SELECT on every table; INSERT, UPDATE, DELETE on the projections and reference tables
 *   it writes; INSERT only on the journal; SELECT only on the console's tables.
 * - console: SELECT on every table; INSERT, UPDATE, DELETE on its own tables (sessions, users,
 *   API keys).
 * Neither gets TRUNCATE, TRIGGER or REFERENCES, and neither owns anything. Idempotent.
 */
export async function grantRoles(ownerUrl: string, roles: { engine?: string; console?: string }): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    const tables = rows.map((r) => r.name);
    const grants: string[] = [];
    const grantAll = (role: string, table: string, privileges: string) =>
      grants.push(`GRANT ${privileges} ON TABLE ${client.escapeIdentifier(table)} TO ${client.escapeIdentifier(role)}`);
    for (const role of [roles.engine, roles.console]) {
      if (!role) continue;
      const r = client.escapeIdentifier(role);
      grants.push(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`);
      grants.push(`GRANT USAGE ON SCHEMA public TO ${r}`);
      grants.push(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
      grants.push(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r}`);
    }
    for (const table of tables) {
      if (OWNER_ONLY_TABLES.includes(table)) continue;
      const appendOnly = (APPEND_ONLY_TABLES as readonly string[]).includes(table);
      if (roles.engine) {
        if (appendOnly) grantAll(roles.engine, table, "INSERT");
        else if (!consolePrivileges(table)) grantAll(roles.engine, table, "INSERT, UPDATE, DELETE");
      }
      const forConsole = consolePrivileges(table);
      if (roles.console && !appendOnly && forConsole) grantAll(roles.console, table, forConsole);
    }
    await client.query("BEGIN");
    try {
      for (const statement of grants) await client.query(statement);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  });
}

/** Removes a role's privileges in this database, then the role (tests; needs CREATEROLE). */
export async function dropRole(ownerUrl: string, name: string): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const role = client.escapeIdentifier(name);
    await client.query(`DROP OWNED BY ${role}`);
    await client.query(`DROP ROLE ${role}`);
  });
}
