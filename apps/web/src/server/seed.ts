import { randomBytes } from "node:crypto";
import { ROLES, type Role } from "@fillmore/shared";
import type { Auth } from "./auth";
import { createUser, userExists } from "./users";

export interface DemoLogin {
  role: Role;
  email: string;
  password: string;
}

/**
 * Demo users, one per role, with random passwords made on first seed. The caller keeps the
 * logins (the launcher writes them under the data directory and prints them); none is in the repo.
 */
export async function seedDemoUsers(auth: Auth, known: readonly DemoLogin[]): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [];
  for (const role of ROLES) {
    const email = `${role}@demo.fillmore.local`;
    const previous = known.find((l) => l.email === email);
    if (previous && (await userExists(auth, email))) {
      logins.push(previous);
      continue;
    }
    const password = `demo-${randomBytes(6).toString("base64url")}`;
    if (await userExists(auth, email)) throw new Error(`demo user ${email} exists but its password is not known; reset the data directory`);
    await createUser(auth, { email, name: `Demo ${role}`, role, password });
    logins.push({ role, email, password });
  }
  return logins;
}
