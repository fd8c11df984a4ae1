export const ROLES = ["trader", "risk", "compliance", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "orders:read",
  "orders:submit",
  "orders:cancel",
  "risk:read",
  "risk:write",
  "controls:halt",
  "audit:read",
  "admin:users",
  "venues:manage",
  "admin:apikeys",
  /** The API-key list (admin.apiKeys.list), without changing keys: compliance and admin. */
  "apikeys:read",
  /** The System page and system.health: every process's health (admin; compliance reads). */
  "system:read",
  /** Reference data as administered (Admin: venues, instruments, accounts, fee schedules): risk and compliance read. */
  "reference:read",
  /** Changing venues, instruments, accounts and fee schedules at runtime (admin only). */
  "reference:write",
  /** Rule 605, Rule 606 and CAT files (reports.regulatory.*): compliance and admin only. */
  "reports:regulatory",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  trader: ["orders:read", "orders:submit", "orders:cancel", "risk:read"],
  risk: ["orders:read", "orders:cancel", "risk:read", "risk:write", "controls:halt", "audit:read", "reference:read"],
  // Compliance sees everything and changes nothing: read permissions only.
  compliance: ["orders:read", "risk:read", "audit:read", "reports:regulatory", "reference:read", "apikeys:read", "system:read"],
  admin: PERMISSIONS,
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function permissionsOf(role: Role): readonly Permission[] {
  return GRANTS[role];
}
