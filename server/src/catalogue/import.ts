/**
 * An import, dry run or for real: the tables in the files replace the same tables of the
 * catalogue in force (tables not in the files stay as they are), the result is checked by
 * the one catalogue validator every catalogue passes (store/catalogue-schema.ts), and every
 * problem is placed back on its sheet, row and column with a reason in Chinese and
 * English. Nothing is applied here: the caller applies `catalogue` only when `problems` is
 * empty, and only to the version the report was computed against.
 */
import type { Catalogue } from "../contract/catalogue.ts";
import { validateCatalogue } from "../store/catalogue-schema.ts";
import { type FileProblem, type ImportFile, readFiles } from "./files.ts";
import {
  type Assembled,
  catalogueTables,
  diffTables,
  type Reason,
  type Row,
  type RowProblem,
  rowKey,
  type TableDiff,
  type TableKey,
  tableDef,
  type Tables,
  tablesCatalogue,
} from "./sheets.ts";

/** The dry run's answer (and the apply's, once applied). */
export interface ImportReport {
  /** The catalogue version the report compares against: apply with it. */
  version: string;
  /** Tables the files held. */
  tables: TableKey[];
  problems: FileProblem[];
  /** Sheets and columns that are not the catalogue's (left out). */
  ignored: string[];
  diff: TableDiff[];
  /** Rows added, changed and removed per table. */
  counts: Partial<Record<TableKey, { added: number; changed: number; removed: number }>>;
}

export interface ImportOutcome {
  report: ImportReport;
  /** The catalogue the files make (absent when there are problems). */
  catalogue?: Catalogue;
}

const TABLE_OF_SUBJECT: Record<string, TableKey> = {
  zone: "zones",
  department: "departments",
  matter: "matters",
  queue: "series",
  counter: "counters",
  site: "sites",
  zones: "zones",
  departments: "departments",
  matters: "matters",
  queues: "series",
  counters: "counters",
  sites: "sites",
  synonyms: "synonyms",
};

/** The validator's sentences in Chinese (its English is kept as is). */
const ZH: [RegExp, (m: RegExpExecArray) => string][] = [
  [/must not be empty/, () => "不能为空"],
  [/must be at most (\d+) characters/, (m) => `不能超过 ${m[1]} 个字`],
  [/is missing/, () => "不能为空"],
  [/expected a short ASCII id/, () => "编号只能由字母、数字、“-”、“_”组成，最多 40 位"],
  [/^(?:profile )?(\w+) "(.*)" does not exist/, (m) => `引用的“${m[2]}”不存在`],
  [/prefix "(.*)" is also used by queue (\S+)/, (m) => `字头“${m[1]}”已被号类 ${m[2]} 使用`],
  [/number (\d+) is also used by counter (\S+)/, (m) => `窗口号 ${m[1]} 已被窗口 ${m[2]} 使用`],
  [/served by no counter/, () => "没有窗口办理这个号类（请在“工作方案”中加入）"],
  [/queue "(.*)" is listed twice/, (m) => `号类“${m[1]}”重复`],
  [/windows (.*) and (.*) overlap/, (m) => `取号时段 ${m[1]} 与 ${m[2]} 重叠`],
  [/from must be earlier than to/, () => "开始时间要早于结束时间"],
  [/expected "HH:MM"/, () => "时间应为 00:00 到 23:59"],
  [/is not a valid IANA time zone/, () => "不是有效的时区（如 Asia/Shanghai）"],
  [/must be empty or an http\(s\) URL/, () => "应为空或 http(s) 地址"],
  [/must be an origin/, () => "应为 http://地址:端口"],
  [/six-digit administrative division code/, () => "应为六位行政区划代码"],
  [/expected YYYY-MM-DD/, () => "日期应为 2027-01-01 这样的格式"],
  [/at least one weight must be greater than 0/, () => "至少一个权重要大于 0"],
  [/must name at least one/, () => "至少要有一项"],
  [/expected one or two capital letters/, () => "字头应为一到两个大写字母"],
  [/at most (\d+) materials/, (m) => `材料最多 ${m[1]} 项`],
  [/Too small/i, () => "数值太小"],
  [/Too big/i, () => "数值太大"],
];

function reasonOf(en: string): Reason {
  for (const [re, zh] of ZH) {
    const m = re.exec(en);
    if (m) return { zh: zh(m), en };
  }
  return { zh: `取值不正确（${en}）`, en };
}

function indexWhere(rows: Row[], key: string, value: string): number | undefined {
  const i = rows.findIndex((r) => r[key] === value);
  return i < 0 ? undefined : i;
}

/**
 * Where a sentence of the catalogue validator lies in the tables: "matter m-7: materials[2]:
 * must be at most 100 characters" is the third material row of m-7, its 名称 column.
 */
export function locate(problem: string, t: Tables, a: Assembled): RowProblem {
  const hall = /^hall: (.*)$/.exec(problem);
  if (hall) {
    const rest = hall[1] as string;
    const cal = /^calendarOverrides\[(\d+)\]\.?(\w*): (.*)$/.exec(rest);
    if (cal) return { table: "calendar", index: Number(cal[1]), column: cal[2] || "date", reason: reasonOf(cal[3] as string) };
    const f = /^(\w+)(?:\[\d+\])?: (.*)$/.exec(rest);
    const at = f?.[1] !== undefined ? indexWhere(t.hall, "field", f[1]) : undefined;
    return { table: "hall", ...(at !== undefined ? { index: at } : {}), column: "value", reason: reasonOf(f?.[2] ?? rest) };
  }
  // The subject: "matter m-7", "matters[3]" (an item without a usable id), `synonym "社保"`.
  const byId = /^(zone|department|matter|queue|counter|site) (.+?): (.*)$/.exec(problem);
  const byIndex = /^(zones|departments|matters|queues|counters|sites|synonyms)\[(\d+)\]: (.*)$/.exec(problem);
  const bySynonym = /^synonym "(.*)": (.*)$/.exec(problem);
  let table: TableKey;
  let index: number | undefined;
  let rest: string;
  if (byId) {
    table = TABLE_OF_SUBJECT[byId[1] as string] as TableKey;
    index = indexWhere(t[table], "id", byId[2] as string);
    rest = byId[3] as string;
  } else if (byIndex) {
    table = TABLE_OF_SUBJECT[byIndex[1] as string] as TableKey;
    index = Number(byIndex[2]);
    rest = byIndex[3] as string;
  } else if (bySynonym) {
    table = "synonyms";
    index = indexWhere(t.synonyms, "word", bySynonym[1] as string);
    rest = bySynonym[2] as string;
  } else return { table: "hall", reason: reasonOf(problem) };

  const path = /^(\w+)((?:\[\d+\]|\.\w+)*): (.*)$/.exec(rest);
  const ref = /^(?:profile )?(\w+) "(.*)" does not exist$/.exec(rest);
  const field = path?.[1] ?? ref?.[1];
  const message = path?.[3] ?? rest;
  const id = index !== undefined ? (t[table][index]?.id as string | undefined) : undefined;
  // A matter's materials live in their own table, a counter's profile in its own.
  if (table === "matters" && id && (field === "materials" || field === "materialsEn" || field === "materialsEssential")) {
    const k = Number(/\[(\d+)\]/.exec(path?.[2] ?? "")?.[1] ?? 0);
    const mi = a.materialRows.get(id)?.[k];
    return {
      table: "materials",
      ...(mi !== undefined ? { index: mi } : {}),
      column: field === "materials" ? "name" : field === "materialsEn" ? "nameEn" : "essential",
      reason: reasonOf(message),
    };
  }
  if (table === "counters" && id && (field === "profile" || rest.startsWith("profile ") || /listed twice/.test(rest))) {
    const w = /weights\.(\w+)/.exec(path?.[2] ?? "")?.[1];
    return {
      table: "profiles",
      ...(indexWhere(t.profiles, "counterId", id) !== undefined ? { index: indexWhere(t.profiles, "counterId", id) } : {}),
      column: w ?? (/weights/.test(path?.[2] ?? "") ? "green" : "queueIds"),
      reason: reasonOf(message),
    };
  }
  const def = tableDef(table);
  const column =
    def.columns.find((c) => c.key === field)?.key ??
    (/prefix/.test(rest) ? "prefix" : /^number /.test(rest) ? "number" : def.identity[0]);
  return { table, ...(index !== undefined ? { index } : {}), ...(column ? { column } : {}), reason: reasonOf(message) };
}

/**
 * The tables of `current` with the files' tables in their place. A table left out keeps its
 * rows; a column left out of a file keeps each row's current value (a file exported before a
 * field existed does not wipe it); materials and profiles of matters and counters the files
 * removed go with them.
 */
function merge(base: Tables, read: Partial<Tables>, columns: Partial<Record<TableKey, Set<string>>>): Tables {
  const out = { ...base };
  for (const [key, rows] of Object.entries(read) as [TableKey, Row[]][]) {
    const present = columns[key] ?? new Set();
    const def = tableDef(key);
    const missing = def.columns.filter((c) => !present.has(c.key));
    if (missing.length) {
      const before = new Map(base[key].map((r) => [rowKey(key, r), r]));
      for (const r of rows) {
        const was = before.get(rowKey(key, r));
        for (const c of missing) if (was && was[c.key] !== undefined && r[c.key] === undefined) r[c.key] = was[c.key];
      }
    }
    out[key] = rows;
  }
  if (read.matters && !read.materials) {
    const ids = new Set(read.matters.map((m) => m.id));
    out.materials = base.materials.filter((r) => ids.has(r.matterId));
  }
  if (read.counters && !read.profiles) {
    const ids = new Set(read.counters.map((c) => c.id));
    out.profiles = base.profiles.filter((r) => ids.has(r.counterId));
  }
  return out;
}

/**
 * The dry run: what the files would make of `current`, every problem, and the diff.
 * `inUse` names what the catalogue may not lose today (queues with tickets waiting,
 * counters open), as the catalogue admin checks it before applying.
 */
export async function importCatalogue(
  current: Catalogue,
  version: string,
  files: readonly ImportFile[],
  inUse: (c: Catalogue) => string[] = () => [],
): Promise<ImportOutcome> {
  const read = await readFiles(files);
  const base = catalogueTables(current);
  const merged = merge(base, read.tables, read.columns);
  const assembled = tablesCatalogue(merged);
  const rowProblems: RowProblem[] = [...assembled.problems];
  const v = validateCatalogue(assembled.catalogue);
  // Problems of structure already name the row; the validator would name some again.
  if (!v.ok) for (const p of v.problems) if (!/is used by more than one/.test(p)) rowProblems.push(locate(p, merged, assembled));
  if (v.ok)
    for (const what of inUse(v.catalogue)) {
      const [kind, id] = what.split(" ");
      rowProblems.push({
        table: kind === "queue" ? "series" : "counters",
        column: "id",
        reason:
          kind === "queue"
            ? { zh: `号类 ${id} 今天还有号票在等候，不能删除`, en: `series ${id} still has tickets today: it cannot be removed` }
            : { zh: `窗口 ${id} 今天还在服务，不能删除`, en: `counter ${id} is open today: it cannot be removed` },
      });
    }
  // Each problem once, on the row and sheet the admin will open.
  // A cell refused while reading is not reported again by the validator (as "is missing").
  const seen = new Set<string>(
    read.problems.filter((p) => p.row !== undefined).map((p) => JSON.stringify([p.sheet, p.row, p.column])),
  );
  const problems: FileProblem[] = [...read.problems];
  for (const p of rowProblems) {
    const row = p.index !== undefined ? merged[p.table][p.index] : undefined;
    const origin = row ? read.origin.get(row) : undefined;
    const def = tableDef(p.table);
    const fp: FileProblem = {
      table: p.table,
      sheet: origin?.sheet ?? def.zh,
      ...(origin ? { row: origin.row } : {}),
      ...(p.column ? { column: p.column } : {}),
      ...(p.column ? { header: def.columns.find((c) => c.key === p.column)?.zh ?? p.column } : {}),
      reason:
        row && !origin
          ? // A row the files did not touch: name it, since it has no line in them.
            {
              zh: `${p.reason.zh}（${def.zh} ${rowKey(p.table, row)}，未在文件中）`,
              en: `${p.reason.en} (${def.en} ${rowKey(p.table, row)}, not in the files)`,
            }
          : p.reason,
    };
    const k = JSON.stringify(fp.row !== undefined ? [fp.sheet, fp.row, fp.column] : [fp.sheet, fp.row, fp.column, fp.reason.en]);
    if (seen.has(k)) continue;
    seen.add(k);
    problems.push(fp);
  }
  problems.sort((a, b) => (a.sheet === b.sheet ? (a.row ?? 0) - (b.row ?? 0) : 0));
  const diff = diffTables(base, merged);
  const counts: ImportReport["counts"] = {};
  for (const d of diff) counts[d.table] = { added: d.added.length, changed: d.changed.length, removed: d.removed.length };
  const report: ImportReport = {
    version,
    tables: Object.keys(read.tables) as TableKey[],
    problems,
    ignored: read.ignored,
    diff,
    counts,
  };
  return { report, ...(problems.length === 0 && v.ok ? { catalogue: v.catalogue } : {}) };
}
