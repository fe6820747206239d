import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
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
  /** Approvers (back office): the department whose cases they handle. */
  departmentId?: string;
  /** A disabled account cannot sign in (issue 13); it stays for the audit log's names. */
  disabled?: boolean;
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

/**
 * How a file is replaced durably (default {@link writeFileDurable}). Injected so tests can
 * make a write fail on demand, as a full disk would.
 */
export type DurableWrite = (path: string, data: string) => Promise<void>;

/** lowdb's JSONFile, but every write is fsync'd and atomic (steno never fsyncs). */
class DurableJSONFile<T> extends JSONFile<T> {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly file: string,
    private readonly writeFn: DurableWrite,
  ) {
    super(file);
  }
  override write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 2);
    this.chain = this.chain.catch(() => {}).then(() => this.writeFn(this.file, text));
    return this.chain;
  }
}

/**
 * Files anywhere under `dir` (up to a few levels deep), relative to it: what makes a data
 * folder "not empty". Empty folders (and a volume's empty `lost+found`) do not count.
 */
function filesUnder(dir: string, depth = 3, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (depth > 0) out.push(...filesUnder(join(dir, e.name), depth - 1, rel));
      else if (readdirSync(join(dir, e.name)).length > 0) out.push(`${rel}/`);
    } else out.push(rel);
  }
  return out.sort();
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
  role: z.enum(["clerk", "approver", "supervisor", "admin"]),
  counterId: z.string().optional(),
  departmentId: z.string().optional(),
  disabled: z.boolean().optional(),
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
  /** Updates run one after another, each on the result of the one before. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Low<ConfigData>) {}

  /**
   * Open (or, in a really empty data folder, create from `seed`) the configuration.
   * A missing config.json beside other data (journals, summaries, logouts …) is not a
   * first start: seeding would make new secrets and passwords and replay the demo
   * catalogue over the real journals, so the start is refused, naming what is there.
   */
  static async open(
    dataDir: string,
    seed: () => Promise<ConfigData>,
    opts: { write?: DurableWrite } = {},
  ): Promise<{ store: ConfigStore; created: boolean }> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "config.json");
    // A crash inside a durable write leaves its temp file; the real file is intact.
    for (const f of readdirSync(dataDir)) if (/^config\.json\.\d+\.tmp$/.test(f)) rmSync(join(dataDir, f), { force: true });
    const created = !existsSync(file);
    if (created) {
      const found = filesUnder(dataDir);
      if (found.length > 0)
        throw new ConfigError(`${file} is missing, but ${dataDir} is not an empty data folder; refusing a first start over it`, [
          `found ${found.length} file(s): ${found.slice(0, 8).join(", ")}${found.length > 8 ? ", …" : ""}`,
          "restore config.json from a backup (it holds the accounts, the catalogue and the secrets the journals depend on)",
          "or, to start a new hall, point DATA_DIR at an empty folder",
        ]);
    } else if (!statSync(file).isFile()) throw new ConfigError(`cannot read ${file}`, ["it is not a file"]);
    // lowdb insists on default data; a fresh folder gets the seed, an existing file its own content.
    const db = new Low<ConfigData>(
      new DurableJSONFile<ConfigData>(file, opts.write ?? writeFileDurable),
      created ? await seed() : ({} as ConfigData),
    );
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

  /**
   * Change and persist (fsync'd) before resolving. `fn` changes a copy; the copy is
   * written, and only once the write succeeded does it become the configuration. So a
   * failed write (disk full) changes nothing — neither memory nor what the next
   * successful write saves — and the caller's error (a 500) means exactly that.
   */
  update(fn: (d: ConfigData) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const next = structuredClone(this.db.data);
      fn(next);
      await this.db.adapter.write(next);
      this.db.data = next;
    };
    const done = this.queue.then(run);
    this.queue = done.catch(() => {});
    return done;
  }
}
