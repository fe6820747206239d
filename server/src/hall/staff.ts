import type { Role, StaffPublic } from "../contract/catalogue.ts";
import { verifyPassword } from "../auth/passwords.ts";
import type { ConfigStore, StaffRecord } from "../store/config.ts";

export function publicStaff(s: StaffRecord): StaffPublic {
  return { id: s.id, username: s.username, name: s.name, role: s.role };
}

/** Staff accounts, read from the configuration. */
export class StaffDirectory {
  constructor(private readonly config: ConfigStore) {}

  byId(id: string): StaffRecord | undefined {
    return this.config.data.staff.find((s) => s.id === id);
  }

  /** The account, or null for a wrong username or password (indistinguishable on purpose). */
  async login(username: string, password: string): Promise<StaffRecord | null> {
    const s = this.config.data.staff.find((x) => x.username === username);
    if (!s) {
      // Spend the same time as a real check so usernames cannot be probed by timing.
      await verifyPassword(password, "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
      return null;
    }
    return (await verifyPassword(password, s.salt, s.hash)) ? s : null;
  }
}

export function canTakeOver(role: Role): boolean {
  return role === "supervisor" || role === "admin";
}
