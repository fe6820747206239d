/**
 * Validation of the hall catalogue and of device configurations (zod 4).
 *
 * The shape is checked per item, so one broken matter does not hide the problems of the
 * others; references and uniqueness are then checked across the whole catalogue. Every
 * problem is a sentence naming the offending item, fit to show an admin as is.
 */
import { z } from "zod";
import type {
  Catalogue,
  Counter,
  Department,
  Hall,
  IssuingWindow,
  Matter,
  Queue,
  Site,
  Synonym,
  WorkProfile,
  Zone,
} from "../contract/catalogue.ts";
import type { DeviceConfig } from "../contract/devices.ts";

/**
 * Length limits (characters) of catalogue text. Every one of these is shown somewhere with
 * a fixed width — the wall's header, kiosk buttons, call screens, printed tickets — so an
 * unbounded name (10,000 characters broke the wall's header) is refused here, at the one
 * door every catalogue passes (start-up and admin changes), rather than cut by each page.
 * The limits leave room well beyond the longest real names (a matter name of 25 Chinese
 * characters, English names of about 70).
 */
export const TEXT_LIMITS = {
  /** Chinese names of the hall, zones, departments, matters, queues, counters; device names. */
  name: 40,
  /** English names. */
  nameEn: 120,
  /** The hall's address, a floor, one required material. */
  line: 100,
  /** The hall's notice (scrolls on the screens). */
  notice: 300,
  noticeEn: 600,
  /** Public URL, time zone name, a device path or host. */
  technical: 200,
  /** Required materials per matter. */
  materials: 50,
} as const;

const bounded = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `must be at most ${max} characters` });
const textOf = (max: number) => bounded(max).min(1, { error: "must not be empty" });
const text = textOf(TEXT_LIMITS.technical);
const name = textOf(TEXT_LIMITS.name);
const nameEn = textOf(TEXT_LIMITS.nameEn);
const line = textOf(TEXT_LIMITS.line);
/** Free text that may be left empty (notices, public URL). */
const optionalText = (max: number) => bounded(max);

/** Ids appear in URLs, device ids and socket rooms: keep them plain ASCII. */
const idSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, {
    error: (iss) => `expected a short ASCII id (letters, digits, "-", "_"), got ${JSON.stringify(iss.input)}`,
  });

export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  error: (iss) => `expected "HH:MM" between 00:00 and 23:59, got ${JSON.stringify(iss.input)}`,
});

const wholeDays = z.int().min(0);

/** True when the runtime's ICU knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const hallSchema = z.strictObject({
  id: idSchema,
  name,
  nameEn,
  address: line,
  timeZone: text.refine(isValidTimeZone, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid IANA time zone`,
  }),
  noShowReactivateMin: z.int().min(0),
  noShowGraceSec: z.int().min(0).max(3600).optional(),
  holderIdleSec: z.int().min(10).max(86_400).optional(),
  publicUrl: optionalText(TEXT_LIMITS.technical).refine((s) => s === "" || /^https?:\/\/\S+$/.test(s), {
    error: "must be empty or an http(s) URL",
  }),
  notice: optionalText(TEXT_LIMITS.notice),
  noticeEn: optionalText(TEXT_LIMITS.noticeEn),
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/\s]+$/, { error: "must be an origin such as http://10.0.0.5:8080" }))
    .max(32)
    .optional(),
  announceRepeat: z.int().min(1).max(5).optional(),
  greenChannelAge: z.int().min(0).max(150).optional(),
  adminCode: z
    .string()
    .regex(/^\d{6}$/, { error: "must be a six-digit administrative division code (行政区划代码)" })
    .optional(),
  calendarOverrides: z
    .array(
      z.strictObject({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected YYYY-MM-DD" }),
        workday: z.boolean(),
        note: optionalText(TEXT_LIMITS.name).optional(),
      }),
    )
    .max(400)
    .optional(),
  // Supervisor alarms (issue 13): minutes paused, seconds idle while the counter's series wait.
  pauseAlarmMin: z.number().min(0).max(1440).optional(),
  idleAlarmSec: z.int().min(0).max(86_400).optional(),
});

export const siteSchema = z.strictObject({
  id: idSchema,
  name,
  nameEn,
  kind: z.enum(["hall", "township", "community"]),
});

export const zoneSchema = z.strictObject({
  id: idSchema,
  name,
  nameEn,
  floor: line,
});

export const departmentSchema = z.strictObject({
  id: idSchema,
  name,
  nameEn,
  zoneId: idSchema,
});

export const matterSchema = z.strictObject({
  id: idSchema,
  name,
  nameEn,
  departmentId: idSchema,
  queueId: idSchema,
  materials: z.array(line).max(TEXT_LIMITS.materials, { error: `at most ${TEXT_LIMITS.materials} materials` }),
  materialsEn: z.array(line).max(TEXT_LIMITS.materials).optional(),
  materialsEssential: z.array(z.boolean()).max(TEXT_LIMITS.materials).optional(),
  legalDays: wholeDays,
  promisedDays: wholeDays,
  feeYuan: z.number().min(0),
  selfPrint: z.boolean().optional(),
});

export const issuingWindowSchema = z
  .strictObject({ from: localTimeSchema, to: localTimeSchema })
  .refine((w) => w.from < w.to, { error: "from must be earlier than to" });

export const queueSchema = z
  .strictObject({
    id: idSchema,
    prefix: z.string().regex(/^[A-Z]{1,2}$/, {
      error: (iss) => `expected one or two capital letters, got ${JSON.stringify(iss.input)}`,
    }),
    name,
    nameEn,
    zoneId: idSchema,
    dailyCap: z.int().min(0),
    hours: z.array(issuingWindowSchema),
    defaultServiceSec: z.number().positive(),
    waitAlarmMin: z.number().positive(),
    // Supervisor alarms and advice (issue 13): people waiting; the mean wait the advice aims at.
    waitingAlarm: z.int().min(0).max(100_000).optional(),
    waitTargetMin: z.number().positive().max(1440).optional(),
  })
  .superRefine((q, ctx) => {
    // "HH:MM" strings of equal width compare like times.
    const sorted = [...q.hours].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur && cur.from < prev.to) {
        ctx.addIssue({
          code: "custom",
          path: ["hours"],
          message: `windows ${prev.from}–${prev.to} and ${cur.from}–${cur.to} overlap`,
        });
      }
    }
  });

const weight = z.number().min(0).finite();

export const workProfileSchema = z.strictObject({
  queueIds: z.array(idSchema).min(1, { error: "must name at least one queue" }),
  weights: z
    .strictObject({ green: weight, appointment: weight, normal: weight })
    .refine((w) => w.green > 0 || w.appointment > 0 || w.normal > 0, {
      error: "at least one weight must be greater than 0",
    }),
});

export const counterSchema = z.strictObject({
  id: idSchema,
  number: z.int().positive(),
  name,
  nameEn,
  zoneId: idSchema,
  kind: z.enum(["comprehensive", "standard", "help", "certificate"]),
  profile: workProfileSchema,
  pauseAlarmMin: z.number().min(0).max(1440).optional(),
  idleAlarmSec: z.int().min(0).max(86_400).optional(),
  breaks: z
    .array(issuingWindowSchema)
    .max(8)
    .optional()
    .superRefine((bs, ctx) => {
      // Overlapping breaks would make the rota ambiguous ("HH:MM" strings compare like times).
      const sorted = [...(bs ?? [])].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1];
        const cur = sorted[i];
        if (prev && cur && cur.from < prev.to)
          ctx.addIssue({ code: "custom", message: `breaks ${prev.from}–${prev.to} and ${cur.from}–${cur.to} overlap` });
      }
    }),
});

export const synonymSchema = z.strictObject({
  word: text,
  terms: z.array(text).min(1, { error: "must name at least one matter-name fragment" }),
});

export const catalogueSchema = z.strictObject({
  hall: hallSchema,
  zones: z.array(zoneSchema),
  departments: z.array(departmentSchema),
  matters: z.array(matterSchema),
  queues: z.array(queueSchema),
  counters: z.array(counterSchema),
  synonyms: z.array(synonymSchema).optional(),
  sites: z.array(siteSchema).optional(),
});

const transportSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("serial"), path: text, baudRate: z.int().positive() }),
  z.strictObject({ type: z.literal("tcp"), host: text, port: z.int().min(1).max(65535) }),
  z.strictObject({ type: z.literal("usblp"), path: text }),
  z.strictObject({ type: z.literal("sim") }),
]);

const assignmentSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("kiosk"), kioskId: idSchema }),
  z.strictObject({ kind: z.literal("counter"), counterId: idSchema, address: z.int().min(0).max(255).optional() }),
  z.strictObject({ kind: z.literal("screen"), screenId: idSchema }),
  z.strictObject({ kind: z.literal("terminal"), terminalId: idSchema }),
]);

/** One entry of the device list (see contract/devices.ts). */
export const deviceConfigSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(["printer", "led", "keypad", "rating", "idreader", "scanner", "label", "a4", "pos"]),
  name,
  transport: transportSchema,
  assignment: assignmentSchema,
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

// Compile-time guard: the schemas must produce exactly the contract types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchContract: [
  Same<z.output<typeof hallSchema>, Hall>,
  Same<z.output<typeof zoneSchema>, Zone>,
  Same<z.output<typeof departmentSchema>, Department>,
  Same<z.output<typeof matterSchema>, Matter>,
  Same<z.output<typeof issuingWindowSchema>, IssuingWindow>,
  Same<z.output<typeof queueSchema>, Queue>,
  Same<z.output<typeof workProfileSchema>, WorkProfile>,
  Same<z.output<typeof counterSchema>, Counter>,
  Same<z.output<typeof synonymSchema>, Synonym>,
  Same<z.output<typeof siteSchema>, Site>,
  Same<z.output<typeof catalogueSchema>, Catalogue>,
  Same<z.output<typeof deviceConfigSchema>, DeviceConfig>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];
void schemasMatchContract;

export type CatalogueValidation = { ok: true; catalogue: Catalogue } | { ok: false; problems: string[] };

type Collection = "zones" | "departments" | "matters" | "queues" | "counters";

const LABEL: Record<Collection, string> = {
  zones: "zone",
  departments: "department",
  matters: "matter",
  queues: "queue",
  counters: "counter",
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "hours[0].from" from a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function issuesToProblems(subject: string, error: z.ZodError): string[] {
  return error.issues.map((iss) => {
    const where = formatPath(iss.path);
    const missing = iss.code === "invalid_type" && iss.message.endsWith("received undefined");
    const message = missing ? `is missing (expected ${iss.expected})` : iss.message;
    return where === "" ? `${subject}: ${message}` : `${subject}: ${where}: ${message}`;
  });
}

/** How an item is named in a problem: by its id when it has a usable one, else by position. */
function itemSubject(collection: Collection, index: number, raw: unknown): string {
  if (isRecord(raw) && typeof raw.id === "string" && raw.id.trim() !== "") {
    return `${LABEL[collection]} ${raw.id.trim()}`;
  }
  return `${collection}[${index}]`;
}

function parseList<T>(
  input: Record<string, unknown>,
  collection: Collection,
  schema: z.ZodType<T>,
  problems: string[],
): { items: T[]; rawIds: Set<string>; allValid: boolean } {
  const raw = input[collection];
  const items: T[] = [];
  const rawIds = new Set<string>();
  if (raw === undefined) {
    problems.push(`catalogue: ${collection} is missing`);
    return { items, rawIds, allValid: false };
  }
  if (!Array.isArray(raw)) {
    problems.push(`catalogue: ${collection} must be an array`);
    return { items, rawIds, allValid: false };
  }
  raw.forEach((entry, index) => {
    // Ids of items that fail their own check still count as existing, so that a broken
    // queue is reported once rather than again by every matter that points at it.
    if (isRecord(entry) && typeof entry.id === "string") rawIds.add(entry.id.trim());
    const parsed = schema.safeParse(entry);
    if (parsed.success) items.push(parsed.data);
    else problems.push(...issuesToProblems(itemSubject(collection, index, entry), parsed.error));
  });
  return { items, rawIds, allValid: items.length === raw.length };
}

function checkUnique<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  describe: (item: T, first: T) => string,
  problems: string[],
): void {
  const seen = new Map<string | number, T>();
  for (const item of items) {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, item);
    else problems.push(describe(item, first));
  }
}

/**
 * Checks a catalogue as read from disk or sent by an admin. On success the catalogue is
 * returned with its strings trimmed; otherwise every problem found, each naming the
 * offending item, e.g. `matter m-007: queueId "q-zz" does not exist`.
 */
export function validateCatalogue(sent: unknown): CatalogueValidation {
  if (!isRecord(sent)) return { ok: false, problems: ["catalogue: expected an object"] };
  const problems: string[] = [];

  const known = new Set(["hall", "zones", "departments", "matters", "queues", "counters", "synonyms", "sites"]);
  // The pinyin the hub adds for clients (GET /api/hall) is derived, never stored: a
  // catalogue served and sent back by an admin tool is accepted without it.
  const { version: _version, ...rest } = sent;
  const input: Record<string, unknown> = { ...rest, matters: withoutDerived(sent.matters) };
  if (sent.synonyms !== undefined) input.synonyms = withoutDerived(sent.synonyms);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) problems.push(`catalogue: unknown key "${key}"`);
  }

  let hall: Hall | undefined;
  if (input.hall === undefined) problems.push("catalogue: hall is missing");
  else {
    const parsed = hallSchema.safeParse(input.hall);
    if (parsed.success) hall = parsed.data;
    else problems.push(...issuesToProblems("hall", parsed.error));
  }

  const zones = parseList(input, "zones", zoneSchema, problems);
  const departments = parseList(input, "departments", departmentSchema, problems);
  const matters = parseList(input, "matters", matterSchema, problems);
  const queues = parseList(input, "queues", queueSchema, problems);
  const counters = parseList(input, "counters", counterSchema, problems);
  const synonyms: Synonym[] = [];
  if (input.synonyms !== undefined) {
    if (!Array.isArray(input.synonyms)) problems.push("catalogue: synonyms must be an array");
    else
      input.synonyms.forEach((entry, index) => {
        const parsed = synonymSchema.safeParse(entry);
        const subject = isRecord(entry) && typeof entry.word === "string" ? `synonym "${entry.word}"` : `synonyms[${index}]`;
        if (parsed.success) synonyms.push(parsed.data);
        else problems.push(...issuesToProblems(subject, parsed.error));
      });
  }

  for (const [collection, list] of [
    ["zones", zones.items],
    ["departments", departments.items],
    ["matters", matters.items],
    ["queues", queues.items],
    ["counters", counters.items],
  ] as const) {
    checkUnique<{ id: string }>(
      list,
      (x) => x.id,
      (x) => `${LABEL[collection]} ${x.id}: id is used by more than one ${LABEL[collection]}`,
      problems,
    );
  }
  checkUnique(
    queues.items,
    (q) => q.prefix,
    (q, first) => `queue ${q.id}: prefix "${q.prefix}" is also used by queue ${first.id}`,
    problems,
  );
  checkUnique(
    counters.items,
    (c) => c.number,
    (c, first) => `counter ${c.id}: number ${c.number} is also used by counter ${first.id}`,
    problems,
  );

  const ref = (subject: string, field: string, id: string, pool: Set<string>): void => {
    if (!pool.has(id)) problems.push(`${subject}: ${field} "${id}" does not exist`);
  };
  for (const d of departments.items) ref(`department ${d.id}`, "zoneId", d.zoneId, zones.rawIds);
  for (const q of queues.items) ref(`queue ${q.id}`, "zoneId", q.zoneId, zones.rawIds);
  for (const m of matters.items) {
    ref(`matter ${m.id}`, "departmentId", m.departmentId, departments.rawIds);
    ref(`matter ${m.id}`, "queueId", m.queueId, queues.rawIds);
    // English pages pair the lists item by item (a missing item is named by its index).
    if (m.materialsEn && m.materialsEn.length !== m.materials.length)
      problems.push(`matter ${m.id}: materialsEn has ${m.materialsEn.length} items, materials has ${m.materials.length}`);
    if (m.materialsEssential && m.materialsEssential.length !== m.materials.length)
      problems.push(
        `matter ${m.id}: materialsEssential has ${m.materialsEssential.length} items, materials has ${m.materials.length}`,
      );
  }
  const sites: Site[] = [];
  if (input.sites !== undefined) {
    if (!Array.isArray(input.sites)) problems.push("catalogue: sites must be an array");
    else
      input.sites.forEach((entry, index) => {
        const parsed = siteSchema.safeParse(entry);
        const subject = isRecord(entry) && typeof entry.id === "string" ? `site ${entry.id}` : `sites[${index}]`;
        if (parsed.success) sites.push(parsed.data);
        else problems.push(...issuesToProblems(subject, parsed.error));
      });
    checkUnique(
      sites,
      (s) => s.id,
      (s) => `site ${s.id}: id is used by more than one site`,
      problems,
    );
  }
  const served = new Set<string>();
  for (const c of counters.items) {
    ref(`counter ${c.id}`, "zoneId", c.zoneId, zones.rawIds);
    const listed = new Set<string>();
    for (const qid of c.profile.queueIds) {
      if (listed.has(qid)) problems.push(`counter ${c.id}: queue "${qid}" is listed twice in its profile`);
      listed.add(qid);
      ref(`counter ${c.id}`, "profile queueId", qid, queues.rawIds);
      served.add(qid);
    }
  }
  // Only when the counter list itself is sound: otherwise its broken entries would make
  // every queue look unserved.
  if (counters.allValid) {
    for (const q of queues.items) {
      if (!served.has(q.id)) problems.push(`queue ${q.id}: served by no counter (no counter lists it in its profile)`);
    }
  }

  if (problems.length > 0 || hall === undefined) {
    return { ok: false, problems: problems.length > 0 ? problems : ["catalogue: hall is invalid"] };
  }
  return {
    ok: true,
    catalogue: {
      hall,
      zones: zones.items,
      departments: departments.items,
      matters: matters.items,
      queues: queues.items,
      counters: counters.items,
      ...(input.synonyms !== undefined ? { synonyms } : {}),
      ...(input.sites !== undefined ? { sites } : {}),
    },
  };
}

/** A list with the hub-derived `initials` / `pinyin` keys removed from each record. */
function withoutDerived(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((x) => {
    if (!isRecord(x)) return x;
    const { initials: _i, pinyin: _p, ...rest } = x;
    return rest;
  });
}
