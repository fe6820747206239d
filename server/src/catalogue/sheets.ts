/**
 * The catalogue as tables (issue 13, "Import/export"): one table per sheet of the workbook
 * and per CSV file, and the rows the admin page edits. One list of columns per table drives
 * all three, so a new field of the contract is one line here: its header in both languages,
 * its cell type, whether it may be left empty. A table also names the catalogue list it is
 * (`list`): those tables go to and from the catalogue by one loop, not one line each.
 *
 * Pure (no node:*, no exceljs): the admin page bundles this file to lay out and edit the
 * same rows the hub imports. Rows hold typed values (numbers, booleans, lists, issuing
 * windows); {@link formatCell} and {@link parseCell} turn them into the text of a cell and
 * back, with every reason for refusing a cell in Chinese and English.
 */
import type { Catalogue, Counter, Hall, IssuingWindow, Matter } from "../contract/catalogue.ts";

export const TABLE_KEYS = [
  "hall",
  "zones",
  "departments",
  "matters",
  "materials",
  "series",
  "counters",
  "profiles",
  "calendar",
  "synonyms",
  "sites",
] as const;
export type TableKey = (typeof TABLE_KEYS)[number];

export type CellType = "id" | "text" | "int" | "number" | "bool" | "list" | "hours" | "enum" | "date";
export type CellValue = string | number | boolean | string[] | IssuingWindow[];
/** One row: column key → typed value; an absent key is an empty cell. */
export type Row = Record<string, CellValue | undefined>;
export type Tables = Record<TableKey, Row[]>;

export interface Column {
  /** The field of the row (and, for most tables, of the contract's record). */
  key: string;
  zh: string;
  en: string;
  type: CellType;
  /** An empty cell leaves the field out (the contract's optional fields; a bool then means false). */
  optional?: boolean;
  /** An empty cell is the empty string (free text the contract allows to be "", e.g. the notice). */
  blank?: boolean;
  /** What an empty cell means when it is neither optional nor blank (a material is essential unless marked). */
  empty?: CellValue;
  /** Allowed values of an enum. */
  options?: readonly string[];
  /** The table whose ids this column names (the page offers them in a list). */
  ref?: TableKey;
  /** XLSX column width in characters. */
  width?: number;
}

export interface TableDef {
  key: TableKey;
  /** Sheet name (and CSV file name) in Chinese and English. */
  zh: string;
  en: string;
  columns: Column[];
  /** Columns whose values together name a row (what a diff matches rows by). */
  identity: string[];
  /**
   * The catalogue's list whose records the rows are, field for field (the columns are the
   * fields; matters and counters also take the materials and profiles tables). Absent: the
   * table is assembled otherwise (the hall's settings, materials, profiles, calendar).
   */
  list?: RecordList;
  /** The list is left out of the catalogue when the table is empty. */
  optional?: true;
}

/** The catalogue's lists that are one table each. */
export type RecordList = "zones" | "departments" | "matters" | "queues" | "counters" | "synonyms" | "sites";

/** A table: its key, its sheet names and what names a row (and its catalogue list), its columns. */
function table(key: TableKey, head: Omit<TableDef, "key" | "columns">, columns: Column[]): TableDef {
  return { key, ...head, columns };
}

const ID = (zh = "编号", en = "Id"): Column => ({ key: "id", zh, en, type: "id", width: 14 });
const NAME: Column = { key: "name", zh: "名称", en: "Name", type: "text", width: 24 };
const NAME_EN: Column = { key: "nameEn", zh: "英文名称", en: "English name", type: "text", width: 32 };
const ZONE: Column = { key: "zoneId", zh: "所在区域", en: "Zone", type: "id", ref: "zones" };
/** The first columns of a series or a counter: its id, what people know it by (prefix, number), its names, its zone. */
const PLACED = (known: Column): Column[] => [ID(), known, NAME, NAME_EN, ZONE];

/**
 * The hall's own settings: one row per field (项目 / 值) rather than one column each, since
 * the hall is a single record. Alarm settings for the hall go here.
 */
export const HALL_FIELDS: Column[] = [
  { key: "id", zh: "大厅编号", en: "Hall id", type: "id" },
  { key: "name", zh: "大厅名称", en: "Hall name", type: "text" },
  { key: "nameEn", zh: "英文名称", en: "English name", type: "text" },
  { key: "address", zh: "地址", en: "Address", type: "text" },
  { key: "timeZone", zh: "时区", en: "Time zone", type: "text" },
  { key: "noShowReactivateMin", zh: "过号可恢复时间（分钟）", en: "No-show reactivation (min)", type: "int" },
  { key: "noShowGraceSec", zh: "过号确认等待（秒）", en: "No-show grace (s)", type: "int", optional: true },
  { key: "holderIdleSec", zh: "离开窗口后保留（秒）", en: "Counter hold when gone (s)", type: "int", optional: true },
  { key: "publicUrl", zh: "对外访问地址", en: "Public URL", type: "text", blank: true },
  { key: "notice", zh: "滚动通知", en: "Notice", type: "text", blank: true },
  { key: "noticeEn", zh: "英文通知", en: "Notice (English)", type: "text", blank: true },
  { key: "allowedOrigins", zh: "允许的来源", en: "Allowed origins", type: "list", optional: true },
  { key: "announceRepeat", zh: "叫号播报次数", en: "Announcements per call", type: "int", optional: true },
  { key: "greenChannelAge", zh: "绿色通道年龄", en: "Green channel age", type: "int", optional: true },
  { key: "adminCode", zh: "行政区划代码", en: "Division code", type: "text", optional: true },
  // Floor alarms (alarms/): a counter's own value in the counters table wins.
  { key: "pauseAlarmMin", zh: "暂停报警（分钟，0 为不报）", en: "Pause alarm (min, 0 = off)", type: "number", optional: true },
  { key: "idleAlarmSec", zh: "空闲报警（秒，0 为不报）", en: "Idle alarm (s, 0 = off)", type: "int", optional: true },
];

export const TABLES: readonly TableDef[] = [
  table("hall", { zh: "大厅", en: "Hall", identity: ["field"] }, [
    { key: "field", zh: "项目", en: "Setting", type: "id", width: 22 },
    { key: "label", zh: "说明", en: "Meaning", type: "text", optional: true, width: 26 },
    { key: "value", zh: "值", en: "Value", type: "text", blank: true, width: 60 },
  ]),
  table("zones", { zh: "区域", en: "Zones", identity: ["id"], list: "zones" }, [
    ID(),
    NAME,
    NAME_EN,
    { key: "floor", zh: "楼层", en: "Floor", type: "text" },
  ]),
  table("departments", { zh: "部门", en: "Departments", identity: ["id"], list: "departments" }, [ID(), NAME, NAME_EN, ZONE]),
  table("matters", { zh: "事项", en: "Matters", identity: ["id"], list: "matters" }, [
    ID(),
    { ...NAME, width: 30 },
    { ...NAME_EN, width: 40 },
    { key: "departmentId", zh: "部门", en: "Department", type: "id", ref: "departments" },
    { key: "queueId", zh: "号类", en: "Series", type: "id", ref: "series" },
    { key: "legalDays", zh: "法定时限（工作日）", en: "Legal limit (working days)", type: "int" },
    { key: "promisedDays", zh: "承诺时限（工作日）", en: "Promised limit (working days)", type: "int" },
    { key: "feeYuan", zh: "收费（元）", en: "Fee (yuan)", type: "number" },
    { key: "selfPrint", zh: "自助打印", en: "Self-print", type: "bool", optional: true },
  ]),
  table("materials", { zh: "材料", en: "Materials", identity: ["matterId", "seq"] }, [
    { key: "matterId", zh: "事项编号", en: "Matter id", type: "id", ref: "matters" },
    { key: "seq", zh: "序号", en: "No.", type: "int", width: 6 },
    { key: "name", zh: "材料名称", en: "Material", type: "text", width: 36 },
    { key: "nameEn", zh: "英文名称", en: "English name", type: "text", optional: true, width: 40 },
    { key: "essential", zh: "必要材料", en: "Essential", type: "bool", empty: true, width: 10 },
  ]),
  table("series", { zh: "号类", en: "Series", identity: ["id"], list: "queues" }, [
    ...PLACED({ key: "prefix", zh: "字头", en: "Prefix", type: "text", width: 6 }),
    { key: "dailyCap", zh: "每日上限（0 为不限）", en: "Daily cap (0 = none)", type: "int" },
    // Empty: tickets are issued all day.
    { key: "hours", zh: "取号时段", en: "Issuing hours", type: "hours", empty: [], width: 26 },
    { key: "defaultServiceSec", zh: "预设办理时长（秒）", en: "Default service time (s)", type: "number" },
    { key: "waitAlarmMin", zh: "等候报警（分钟）", en: "Wait alarm (min)", type: "number" },
    { key: "waitingAlarm", zh: "排队人数报警", en: "People waiting alarm", type: "int", optional: true },
    { key: "waitTargetMin", zh: "目标等候（分钟）", en: "Target wait (min)", type: "number", optional: true },
  ]),
  table("counters", { zh: "窗口", en: "Counters", identity: ["id"], list: "counters" }, [
    ...PLACED({ key: "number", zh: "窗口号", en: "Number", type: "int", width: 8 }),
    {
      key: "kind",
      zh: "类型",
      en: "Kind",
      type: "enum",
      options: ["comprehensive", "standard", "help", "certificate"],
    },
    // The break plan the wait estimate and the simulator follow (午休、错峰轮休).
    { key: "breaks", zh: "休息时段", en: "Breaks", type: "hours", optional: true, width: 26 },
    { key: "pauseAlarmMin", zh: "暂停报警（分钟）", en: "Pause alarm (min)", type: "number", optional: true },
    { key: "idleAlarmSec", zh: "空闲报警（秒）", en: "Idle alarm (s)", type: "int", optional: true },
  ]),
  table("profiles", { zh: "工作方案", en: "Profiles", identity: ["counterId"] }, [
    { key: "counterId", zh: "窗口编号", en: "Counter id", type: "id", ref: "counters" },
    { key: "queueIds", zh: "办理号类", en: "Series served", type: "list", ref: "series", width: 30 },
    { key: "green", zh: "绿色通道权重", en: "Green weight", type: "number" },
    { key: "appointment", zh: "预约权重", en: "Appointment weight", type: "number" },
    { key: "normal", zh: "普通权重", en: "Normal weight", type: "number" },
  ]),
  table("calendar", { zh: "日历", en: "Calendar", identity: ["date"] }, [
    { key: "date", zh: "日期", en: "Date", type: "date", width: 12 },
    { key: "workday", zh: "上班", en: "Working day", type: "bool", width: 10 },
    { key: "note", zh: "说明", en: "Note", type: "text", optional: true, width: 24 },
  ]),
  table("synonyms", { zh: "近义词", en: "Synonyms", identity: ["word"], list: "synonyms", optional: true }, [
    { key: "word", zh: "近义词", en: "Word", type: "text", width: 16 },
    { key: "terms", zh: "对应事项名称", en: "Matter-name fragments", type: "list", width: 50 },
  ]),
  table("sites", { zh: "站点", en: "Sites", identity: ["id"], list: "sites", optional: true }, [
    ID(),
    NAME,
    NAME_EN,
    { key: "kind", zh: "类型", en: "Kind", type: "enum", options: ["hall", "township", "community"] },
  ]),
];

export function tableDef(key: TableKey): TableDef {
  return TABLES.find((t) => t.key === key) as TableDef;
}

/** The key a row is known by in its table ("m-0007", "m-0007#3"). */
export function rowKey(table: TableKey, row: Row): string {
  return tableDef(table)
    .identity.map((k) => String(row[k] ?? ""))
    .join("#");
}

// ---- cells ------------------------------------------------------------------------------

/** A reason in both languages (why a cell, a row or a file is refused). */
export interface Reason {
  zh: string;
  en: string;
}

const YES = new Set(["是", "y", "yes", "true", "1", "✓", "√", "对"]);
const NO = new Set(["否", "n", "no", "false", "0", "×", "x", "不", ""]);
/** Separators of a list cell: ASCII or full-width semicolons, or line breaks. */
const LIST_SPLIT = /[;；\n]/;

/** The text of a cell: what the sheet, the CSV and the page show. */
export function formatCell(v: CellValue | undefined, col: Column, lang: "zh" | "en" = "zh"): string | number {
  if (v === undefined) return "";
  switch (col.type) {
    case "bool":
      return v ? (lang === "zh" ? "是" : "yes") : lang === "zh" ? "否" : "no";
    case "int":
    case "number":
      return typeof v === "number" ? v : String(v);
    case "list":
      return (v as string[]).join(";");
    case "hours":
      return (v as IssuingWindow[]).map((w) => `${w.from}-${w.to}`).join(";");
    default:
      return String(v);
  }
}

/** What a spreadsheet cell holds once read: text, a number, a boolean, a date, or nothing. */
export type RawCell = string | number | boolean | Date | null | undefined;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * A cell's text or value as the column's type, or why it cannot be. `undefined` with no
 * reason: the cell is empty and the field left out.
 */
export function parseCell(raw: RawCell, col: Column): { value?: CellValue; reason?: Reason } {
  let text: string;
  if (raw instanceof Date) {
    // A date typed into Excel: the day it shows (exceljs reads it as UTC midnight).
    text = `${raw.getUTCFullYear()}-${pad(raw.getUTCMonth() + 1)}-${pad(raw.getUTCDate())}`;
  } else text = raw === null || raw === undefined ? "" : String(raw).trim();
  // A leading apostrophe is what our CSV export adds before = + - @ (formula safety).
  if (/^'[=+\-@\t\r]/.test(text)) text = text.slice(1);
  if (text === "") {
    if (col.empty !== undefined) return { value: col.empty };
    if (col.optional) return {};
    if (col.blank) return { value: "" };
    return { reason: { zh: "不能为空", en: "must not be empty" } };
  }
  switch (col.type) {
    case "int":
    case "number": {
      const n = typeof raw === "number" ? raw : Number(text.replace(/[,，]/g, ""));
      if (!Number.isFinite(n)) return { reason: { zh: `“${text}”不是数字`, en: `"${text}" is not a number` } };
      if (col.type === "int" && !Number.isInteger(n))
        return { reason: { zh: `“${text}”不是整数`, en: `"${text}" is not a whole number` } };
      return { value: n };
    }
    case "bool": {
      const s = text.toLowerCase();
      if (YES.has(s)) return { value: true };
      if (NO.has(s)) return { value: false };
      return { reason: { zh: `“${text}”应为“是”或“否”`, en: `"${text}" must be yes or no` } };
    }
    case "list":
      return {
        value: text
          .split(LIST_SPLIT)
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      };
    case "hours": {
      const out: IssuingWindow[] = [];
      for (const part of text.split(LIST_SPLIT)) {
        const p = part.trim();
        if (p === "") continue;
        const m = /^(\d{1,2}:\d{2})\s*[-–~～至到]\s*(\d{1,2}:\d{2})$/.exec(p);
        if (!m)
          return {
            reason: {
              zh: `“${p}”应写成 08:30-12:00，多个时段用分号隔开`,
              en: `"${p}" must read like 08:30-12:00; separate windows with ;`,
            },
          };
        const hhmm = (s: string) => (s.length === 4 ? `0${s}` : s);
        out.push({ from: hhmm(m[1] as string), to: hhmm(m[2] as string) });
      }
      return { value: out };
    }
    case "enum": {
      if (!col.options?.includes(text))
        return {
          reason: {
            zh: `“${text}”应为 ${col.options?.join("、")} 之一`,
            en: `"${text}" must be one of ${col.options?.join(", ")}`,
          },
        };
      return { value: text };
    }
    case "date": {
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
      if (!m) return { reason: { zh: `“${text}”应为日期，如 2027-01-01`, en: `"${text}" must be a date such as 2027-01-01` } };
      return { value: `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}` };
    }
    default:
      return { value: text };
  }
}

/** Equal cells (the diff compares what a sheet shows). */
export function sameCell(a: CellValue | undefined, b: CellValue | undefined, col: Column): boolean {
  return formatCell(a, col) === formatCell(b, col);
}

// ---- catalogue ⇄ tables ---------------------------------------------------------------------

function pick(rec: object, columns: readonly Column[]): Row {
  const r = rec as Record<string, unknown>;
  const row: Row = {};
  for (const c of columns) {
    const v = r[c.key] as CellValue | undefined;
    if (v !== undefined) row[c.key] = Array.isArray(v) ? ([...v] as CellValue) : v;
    else if (c.type === "bool" && c.optional) row[c.key] = false;
  }
  return row;
}

/** A record of the row's fields: empty cells and `false` of optional flags are left out. */
function record(row: Row, columns: readonly Column[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c.key];
    if (v === undefined) continue;
    if (c.type === "bool" && c.optional && v === false) continue;
    out[c.key] = v;
  }
  return out;
}

const cols = (t: TableKey) => tableDef(t).columns;

/** Every table of a catalogue. */
export function catalogueTables(c: Catalogue): Tables {
  const hall = c.hall as unknown as Record<string, unknown>;
  // The tables of the catalogue's lists (TableDef.list), row for record.
  const records: Partial<Tables> = {};
  for (const def of TABLES)
    if (def.list) records[def.key] = ((c[def.list] ?? []) as readonly object[]).map((r) => pick(r, def.columns));
  const materials: Row[] = [];
  for (const m of c.matters)
    m.materials.forEach((name, i) => {
      const row: Row = { matterId: m.id, seq: i + 1, name, essential: m.materialsEssential?.[i] ?? true };
      const en = m.materialsEn?.[i];
      if (en !== undefined) row.nameEn = en;
      materials.push(row);
    });
  return {
    ...(records as Tables),
    hall: HALL_FIELDS.flatMap((f) => {
      const v = hall[f.key] as CellValue | undefined;
      return v === undefined ? [] : [{ field: f.key, label: f.zh, value: formatCellText(v, f) }];
    }),
    materials,
    profiles: c.counters.map((x) => ({ counterId: x.id, queueIds: [...x.profile.queueIds], ...x.profile.weights })),
    calendar: (c.hall.calendarOverrides ?? []).map((o) => pick(o, cols("calendar"))),
  };
}

/** A hall setting's value as the text of the 值 column (the hall sheet is one text column). */
function formatCellText(v: CellValue, f: Column): string {
  return String(formatCell(v, f));
}

/** Where in the tables a problem lies: a row (by table and index) and a column. */
export interface RowProblem {
  table: TableKey;
  /** Index of the row in its table; absent for the table as a whole. */
  index?: number;
  column?: string;
  reason: Reason;
}

export interface Assembled {
  catalogue: Catalogue;
  problems: RowProblem[];
  /** matterId → the material rows' indexes in order: where `materials[i]` of a matter came from. */
  materialRows: Map<string, number[]>;
}

/**
 * The catalogue the tables describe. Problems of structure (a material of no matter, a
 * counter without a work profile, a hall setting that is not a number) are returned row by
 * row; everything the schema checks (lengths, ids, references) is left to the catalogue's
 * validator, whose findings the importer maps back to rows.
 */
export function tablesCatalogue(t: Tables): Assembled {
  const problems: RowProblem[] = [];
  // Duplicates first, in every table: the validator names only the catalogue's ids.
  for (const key of TABLE_KEYS) {
    const seen = new Map<string, number>();
    t[key].forEach((row, index) => {
      const k = rowKey(key, row);
      const first = seen.get(k);
      if (first === undefined) seen.set(k, index);
      else
        problems.push({
          table: key,
          index,
          column: tableDef(key).identity[0] as string,
          reason: { zh: `“${k}”与第 ${first + 2} 行重复`, en: `"${k}" repeats row ${first + 2}` },
        });
    });
  }

  const hall: Record<string, unknown> = {};
  t.hall.forEach((row, index) => {
    const f = HALL_FIELDS.find((x) => x.key === row.field);
    if (!f) {
      problems.push({
        table: "hall",
        index,
        column: "field",
        reason: { zh: `没有“${String(row.field)}”这一设置项`, en: `no setting "${String(row.field)}"` },
      });
      return;
    }
    const parsed = parseCell(typeof row.value === "string" ? row.value : undefined, f);
    if (parsed.reason) problems.push({ table: "hall", index, column: "value", reason: parsed.reason });
    else if (parsed.value !== undefined) hall[f.key] = parsed.value;
  });
  for (const f of HALL_FIELDS)
    if (!(f.key in hall) && !f.optional)
      problems.push({
        table: "hall",
        column: "field",
        reason: { zh: `缺少设置项“${f.key}”（${f.zh}）`, en: `setting "${f.key}" (${f.en}) is missing` },
      });
  if (t.calendar.length) hall.calendarOverrides = t.calendar.map((r) => record(r, cols("calendar")));

  const materialRows = new Map<string, number[]>();
  const matterIds = new Set(t.matters.map((m) => m.id as string));
  t.materials.forEach((row, index) => {
    const id = row.matterId as string;
    if (!matterIds.has(id)) {
      problems.push({
        table: "materials",
        index,
        column: "matterId",
        reason: { zh: `没有编号为“${id}”的事项`, en: `no matter "${id}"` },
      });
      return;
    }
    const list = materialRows.get(id) ?? [];
    list.push(index);
    materialRows.set(id, list);
  });
  for (const list of materialRows.values())
    list.sort((a, b) => (t.materials[a]?.seq as number) - (t.materials[b]?.seq as number));

  // The catalogue's lists, each from its table (TableDef.list; optional ones left out when empty).
  const lists: Partial<Record<RecordList, unknown[]>> = {};
  for (const def of TABLES)
    if (def.list && (!def.optional || t[def.key].length)) lists[def.list] = t[def.key].map((r) => record(r, def.columns));

  const matters = (lists.matters as Matter[]).map((m) => {
    const rows = (materialRows.get(m.id) ?? []).map((i) => t.materials[i] as Row);
    m.materials = rows.map((r) => r.name as string);
    const en = rows.map((r) => r.nameEn as string | undefined);
    if (en.some((x) => x !== undefined)) {
      rows.forEach((r, k) => {
        if (en[k] === undefined)
          problems.push({
            table: "materials",
            index: t.materials.indexOf(r),
            column: "nameEn",
            reason: {
              zh: "同一事项的其他材料有英文名称，这一项也要填",
              en: "the matter's other materials have an English name: this one needs one too",
            },
          });
      });
      m.materialsEn = en.map((x) => x ?? "");
    }
    if (rows.some((r) => r.essential === false)) m.materialsEssential = rows.map((r) => r.essential !== false);
    return m;
  });

  const profiles = new Map(t.profiles.map((p, i) => [p.counterId as string, i]));
  const counterIds = new Set(t.counters.map((c) => c.id as string));
  t.profiles.forEach((p, index) => {
    if (!counterIds.has(p.counterId as string))
      problems.push({
        table: "profiles",
        index,
        column: "counterId",
        reason: { zh: `没有编号为“${String(p.counterId)}”的窗口`, en: `no counter "${String(p.counterId)}"` },
      });
  });
  const counters = (lists.counters as Counter[]).map((c, index) => {
    const pi = profiles.get(c.id);
    const p = pi === undefined ? undefined : t.profiles[pi];
    if (!p)
      problems.push({
        table: "counters",
        index,
        column: "id",
        reason: { zh: "这个窗口在“工作方案”表中没有一行", en: "this counter has no row in the Profiles table" },
      });
    c.profile = {
      queueIds: (p?.queueIds as string[] | undefined) ?? [],
      weights: {
        green: (p?.green as number | undefined) ?? 0,
        appointment: (p?.appointment as number | undefined) ?? 0,
        normal: (p?.normal as number | undefined) ?? 0,
      },
    };
    return c;
  });

  // The lists keep TABLES' order (the catalogue's version is a hash of its JSON).
  const catalogue = { hall: hall as unknown as Hall, ...lists, matters, counters } as unknown as Catalogue;
  return { catalogue, problems, materialRows };
}

// ---- diff ---------------------------------------------------------------------------------

export interface FieldChange {
  column: string;
  before: string | number;
  after: string | number;
}

export interface TableDiff {
  table: TableKey;
  added: string[];
  removed: string[];
  changed: { key: string; fields: FieldChange[] }[];
}

/** What an import would change, table by table and field by field (tables without changes left out). */
export function diffTables(before: Tables, after: Tables): TableDiff[] {
  const out: TableDiff[] = [];
  for (const def of TABLES) {
    const a = new Map(before[def.key].map((r) => [rowKey(def.key, r), r]));
    const b = new Map(after[def.key].map((r) => [rowKey(def.key, r), r]));
    const d: TableDiff = { table: def.key, added: [], removed: [], changed: [] };
    for (const [k, rb] of b) {
      const ra = a.get(k);
      if (!ra) {
        d.added.push(k);
        continue;
      }
      const fields: FieldChange[] = [];
      for (const c of def.columns) {
        // The hall sheet's label column only explains the setting.
        if (def.key === "hall" && c.key === "label") continue;
        if (!sameCell(ra[c.key], rb[c.key], c))
          fields.push({ column: c.key, before: formatCell(ra[c.key], c), after: formatCell(rb[c.key], c) });
      }
      if (fields.length) d.changed.push({ key: k, fields });
    }
    for (const k of a.keys()) if (!b.has(k)) d.removed.push(k);
    if (d.added.length || d.removed.length || d.changed.length) out.push(d);
  }
  return out;
}
