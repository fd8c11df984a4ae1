import { ROLES } from "@fillmore/shared";

/** The four roles as a select's options (users and API keys). */
export function RoleOptions() {
  return ROLES.map((r) => (
    <option key={r} value={r}>
      {r}
    </option>
  ));
}
