import { randomBytes } from "node:crypto";
import type { Role, StaffPublic } from "../contract/catalogue.ts";
import { type PasswordHasher, generatePassword, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { HallError } from "./errors.ts";
import type { ConfigStore, StaffRecord } from "../store/config.ts";

export function publicStaff(s: StaffRecord): StaffPublic {
  return {
    id: s.id,
    username: s.username,
    name: s.name,
    role: s.role,
    ...(s.departmentId ? { departmentId: s.departmentId } : {}),
    ...(s.disabled ? { disabled: true } : {}),
  };
}

/** What an admin may change on an account (PATCH /api/staff/:id); null clears. */
export interface StaffUpdate {
  name?: string;
  role?: Role;
  counterId?: string | null;
  departmentId?: string | null;
  disabled?: boolean;
}

export interface NewStaff {
  username: string;
  name: string;
  role: Role;
  counterId?: string;
  departmentId?: string;
}

/** Staff accounts, read from the configuration. */
export class StaffDirectory {
  /**
   * `removed`: runs after an account is deleted (main signs it out of its counters).
   * `hasher`: where logins check passwords (a worker thread with a bounded queue); default libuv's pool.
   */
  constructor(
    private readonly config: ConfigStore,
    private readonly removed: (staffId: string) => Promise<void> = async () => {},
    private readonly hasher?: PasswordHasher,
  ) {}

  byId(id: string): StaffRecord | undefined {
    return this.config.data.staff.find((s) => s.id === id);
  }

  /** The account, or null for a wrong username or password (indistinguishable on purpose). */
  async login(username: string, password: string): Promise<StaffRecord | null> {
    const s = this.config.data.staff.find((x) => x.username === username);
    const verify = this.hasher ? this.hasher.verify.bind(this.hasher) : verifyPassword;
    if (!s || s.disabled) {
      // Spend the same time as a real check so usernames cannot be probed by timing.
      await verify(password, "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
      return null;
    }
    return (await verify(password, s.salt, s.hash)) ? s : null;
  }

  list(): (StaffPublic & { counterId?: string })[] {
    return this.config.data.staff.map((s) => ({ ...publicStaff(s), ...(s.counterId ? { counterId: s.counterId } : {}) }));
  }

  /** A new account with a generated password, returned once (only its hash is kept). */
  async create(n: NewStaff): Promise<{ staff: StaffPublic; password: string }> {
    if (this.config.data.staff.some((s) => s.username === n.username))
      throw new HallError("VALIDATION_FAILED", `username "${n.username}" is taken`);
    this.checkCounter(n.counterId);
    if (n.departmentId && !this.config.data.catalogue.departments.some((d) => d.id === n.departmentId))
      throw new HallError("VALIDATION_FAILED", `no department ${n.departmentId}`);
    if (n.role === "approver" && !n.departmentId) throw new HallError("VALIDATION_FAILED", "an approver needs a departmentId");
    const password = generatePassword();
    const record: StaffRecord = {
      id: `s-${randomBytes(5).toString("hex")}`,
      username: n.username,
      name: n.name,
      role: n.role,
      ...(n.counterId ? { counterId: n.counterId } : {}),
      ...(n.departmentId ? { departmentId: n.departmentId } : {}),
      ...(await hashPassword(password)),
    };
    await this.config.update((d) => {
      d.staff.push(record);
    });
    return { staff: publicStaff(record), password };
  }

  /** A new generated password for an account (the old one stops working at once). */
  async resetPassword(id: string): Promise<{ staff: StaffPublic; password: string }> {
    const s = this.byId(id);
    if (!s) throw new HallError("NOT_FOUND", `no staff ${id}`);
    const password = generatePassword();
    const h = await hashPassword(password);
    await this.config.update((d) => {
      const r = d.staff.find((x) => x.id === id);
      if (r) Object.assign(r, h);
    });
    return { staff: publicStaff(s), password };
  }

  /**
   * Change an account: name, role, counter, department, disabled. Disabling signs the
   * account out of its counters (the caller ends its sessions); an admin cannot disable or
   * demote themselves, nor the last enabled admin. Returns the account before and after.
   */
  async update(
    id: string,
    u: StaffUpdate,
    by: StaffRecord,
  ): Promise<{ before: StaffPublic; after: StaffPublic & { counterId?: string } }> {
    const s = this.byId(id);
    if (!s) throw new HallError("NOT_FOUND", `no staff ${id}`);
    if (u.counterId) this.checkCounter(u.counterId);
    if (u.departmentId && !this.config.data.catalogue.departments.some((d) => d.id === u.departmentId))
      throw new HallError("VALIDATION_FAILED", `no department ${u.departmentId}`);
    const next: StaffRecord = { ...s };
    if (u.name !== undefined) next.name = u.name;
    if (u.role !== undefined) next.role = u.role;
    if (u.counterId === null) delete next.counterId;
    else if (u.counterId !== undefined) next.counterId = u.counterId;
    if (u.departmentId === null) delete next.departmentId;
    else if (u.departmentId !== undefined) next.departmentId = u.departmentId;
    if (u.disabled === true) next.disabled = true;
    else if (u.disabled === false) delete next.disabled;
    if (next.role === "approver" && !next.departmentId)
      throw new HallError("VALIDATION_FAILED", "an approver needs a departmentId");
    const adminLeft = (r: StaffRecord) => r.role === "admin" && !r.disabled;
    if (s.id === by.id && !adminLeft(next))
      throw new HallError("INVALID_TRANSITION", "you cannot disable or demote your own account");
    if (adminLeft(s) && !adminLeft(next) && this.config.data.staff.filter(adminLeft).length === 1)
      throw new HallError("INVALID_TRANSITION", "the last admin cannot be disabled or demoted");
    await this.config.update((d) => {
      d.staff = d.staff.map((x) => (x.id === id ? next : x));
    });
    if (next.disabled && !s.disabled) await this.removed(id);
    return {
      before: { ...publicStaff(s), ...(s.counterId ? { counterId: s.counterId } : {}) },
      after: { ...publicStaff(next), ...(next.counterId ? { counterId: next.counterId } : {}) },
    };
  }

  async remove(id: string, by: StaffRecord): Promise<void> {
    const s = this.byId(id);
    if (!s) throw new HallError("NOT_FOUND", `no staff ${id}`);
    if (s.id === by.id) throw new HallError("INVALID_TRANSITION", "you cannot remove your own account");
    if (s.role === "admin" && this.config.data.staff.filter((x) => x.role === "admin").length === 1)
      throw new HallError("INVALID_TRANSITION", "the last admin cannot be removed");
    await this.config.update((d) => {
      d.staff = d.staff.filter((x) => x.id !== id);
    });
    await this.removed(id);
  }

  private checkCounter(counterId: string | undefined): void {
    if (counterId && !this.config.data.catalogue.counters.some((c) => c.id === counterId))
      throw new HallError("UNKNOWN_COUNTER", `no counter ${counterId}`);
  }
}

export function canTakeOver(role: Role): boolean {
  return role === "supervisor" || role === "admin";
}
