import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { z } from "zod";
import type { Catalogue, Role } from "../contract/catalogue.ts";
import type { DeviceConfig } from "../contract/devices.ts";
import { deviceConfigSchema, validateCatalogue } from "./catalogue-schema.ts";
import { writeFileDurable } from "./durable-file.ts";

/** A staff account as stored: the password only as an scrypt hash. */
export interface StaffRecord {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** Counter the clerk normally works at. */
  counterId?: string;
  salt: string;
  hash: string;
}

/** An online booking (预约): its code is scanned or typed at the kiosk. */
export interface Appointment {
  code: string;
  matterId: string;
  /** Slot start, epoch ms. */
  slotAt: number;
  usedByTicketId?: string;
}

export interface ConfigData {
  version: number;
  catalogue: Catalogue;
  staff: StaffRecord[];
  devices: DeviceConfig[];
  appointments: Appointment[];
  secrets: { tokenKey: string; idSalt: string };
  /** Seeded demo hall: the hub keeps demo bookings for today. */
  demo: boolean;
}

export const CONFIG_VERSION = 2;

/**
 * Migrations from each older version to the next. v1 files (the first release) had no
 * appointments and no demo flag.
 */
const migrations: Record<number, (d: Record<string, unknown>) => Record<string, unknown>> = {
  1: (d) => ({ ...d, appointments: [], demo: false, version: 2 }),
};

/** lowdb's JSONFile, but every write is fsync'd and atomic (steno never fsyncs). */
class DurableJSONFile<T> extends JSONFile<T> {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly file: string) {
    super(file);
  }
  override write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 2);
    this.chain = this.chain.catch(() => {}).then(() => writeFileDurable(this.file, text));
    return this.chain;
  }
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const staffSchema = z.strictObject({
  id: z.string().min(1),
  username: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(["clerk", "supervisor", "admin"]),
  counterId: z.string().optional(),
  salt: z.string().min(1),
  hash: z.string().min(1),
});
const appointmentSchema = z.strictObject({
  code: z.string().min(1),
  matterId: z.string().min(1),
  slotAt: z.number(),
  usedByTicketId: z.string().optional(),
});

/** Check a loaded configuration; every problem is listed, not just the first. */
export function validateConfig(data: unknown): string[] {
  const problems: string[] = [];
  if (typeof data !== "object" || data === null) return ["the file is not a JSON object"];
  const d = data as Record<string, unknown>;
  if (d.version !== CONFIG_VERSION) problems.push(`version ${String(d.version)} (expected ${CONFIG_VERSION})`);
  const cat = validateCatalogue(d.catalogue);
  if (!cat.ok) problems.push(...cat.problems.map((p) => `catalogue: ${p}`));
  const arrays: [string, z.ZodType][] = [
    ["staff", staffSchema],
    ["devices", deviceConfigSchema],
    ["appointments", appointmentSchema],
  ];
  for (const [key, schema] of arrays) {
    if (!Array.isArray(d[key])) {
      problems.push(`${key}: missing or not a list`);
      continue;
    }
    (d[key] as unknown[]).forEach((item, i) => {
      const r = schema.safeParse(item);
      if (!r.success) problems.push(`${key}[${i}]: ${r.error.issues.map((x) => `${x.path.join(".")} ${x.message}`).join("; ")}`);
    });
  }
  if (Array.isArray(d.staff)) {
    const names = new Set<string>();
    for (const s of d.staff as StaffRecord[]) {
      if (names.has(s.username)) problems.push(`staff: username "${s.username}" is used twice`);
      names.add(s.username);
    }
    if (!(d.staff as StaffRecord[]).some((s) => s.role === "admin")) problems.push("staff: there is no admin account");
  }
  const secrets = d.secrets as Record<string, unknown> | undefined;
  if (!secrets || typeof secrets.tokenKey !== "string" || typeof secrets.idSalt !== "string")
    problems.push("secrets: tokenKey and idSalt are required");
  return problems;
}

/**
 * The configuration store (catalogue, staff, devices, bookings) in `DATA_DIR/config.json`,
 * read with lowdb and written durably. Built by main.ts; nothing else opens the file.
 */
export class ConfigStore {
  private constructor(private readonly db: Low<ConfigData>) {}

  static async open(dataDir: string, seed: () => Promise<ConfigData>): Promise<{ store: ConfigStore; created: boolean }> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "config.json");
    // A crash inside a durable write leaves its temp file; the real file is intact.
    for (const f of readdirSync(dataDir)) if (/^config\.json\.\d+\.tmp$/.test(f)) rmSync(join(dataDir, f), { force: true });
    const created = !existsSync(file);
    // lowdb insists on default data; a fresh folder gets the seed, an existing file its own content.
    const db = new Low<ConfigData>(new DurableJSONFile<ConfigData>(file), created ? await seed() : ({} as ConfigData));
    try {
      await db.read();
    } catch (err) {
      throw new ConfigError(`cannot read ${file}`, [(err as Error).message]);
    }
    if (created) {
      // read() keeps the default when the file is missing.
    } else {
      let d = db.data as unknown as Record<string, unknown>;
      let v = typeof d.version === "number" ? d.version : 1;
      while (v < CONFIG_VERSION) {
        const m = migrations[v];
        if (!m) throw new ConfigError(`cannot migrate ${file}`, [`no migration from version ${v}`]);
        d = m(d);
        v = d.version as number;
      }
      if (v > CONFIG_VERSION)
        throw new ConfigError(`${file} is from a newer OneVisit`, [`version ${v}, this hub knows ${CONFIG_VERSION}`]);
      db.data = d as unknown as ConfigData;
    }
    const problems = validateConfig(db.data);
    if (problems.length) throw new ConfigError(`invalid configuration in ${file}`, problems);
    await db.write();
    return { store: new ConfigStore(db), created };
  }

  get data(): Readonly<ConfigData> {
    return this.db.data;
  }

  /** Change and persist (fsync'd) before resolving. */
  async update(fn: (d: ConfigData) => void): Promise<void> {
    fn(this.db.data);
    await this.db.write();
  }
}
