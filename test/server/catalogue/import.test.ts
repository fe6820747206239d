/**
 * The catalogue as XLSX and CSV and back (issue 13): an exported workbook and exported CSV
 * files import with no diff; a workbook with mistakes lists every one (sheet, row, column,
 * reason in Chinese and English) and yields no catalogue; a table left out of the files
 * stays as it is, a column left out keeps its values; the committed reference-hall fixture
 * (1,410 matters) is exactly what bench/catalogue-fixture.ts generates.
 */
import { readFileSync, statSync } from "node:fs";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { FIXTURE_XLSX, fixtureCatalogue } from "../../../bench/catalogue-fixture.ts";
import { catalogueCsv, catalogueXlsx, readFiles } from "../../../server/src/catalogue/files.ts";
import { importCatalogue } from "../../../server/src/catalogue/import.ts";
import { csvCell } from "../../../server/src/export/table.ts";
import {
  catalogueTables,
  diffTables,
  parseCell,
  TABLES,
  tableDef,
  tablesCatalogue,
} from "../../../server/src/catalogue/sheets.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { validateCatalogue } from "../../../server/src/store/catalogue-schema.ts";

/** A workbook exported from `c`, changed by `edit` (sheet by its Chinese name, cell by its header). */
async function editedWorkbook(
  c: Catalogue,
  edit: (cell: (sheet: string, row: number, header: string, value: ExcelJS.CellValue) => void, wb: ExcelJS.Workbook) => void,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await catalogueXlsx(c, "zh")) as unknown as ArrayBuffer);
  edit((sheet, row, header, value) => {
    const ws = wb.getWorksheet(sheet);
    if (!ws) throw new Error(`no sheet ${sheet}`);
    const headers = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ""));
    const col = headers.indexOf(header);
    if (col < 1) throw new Error(`no column ${header} in ${sheet}`);
    ws.getRow(row).getCell(col).value = value;
  }, wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("catalogue/sheets: the catalogue as tables", () => {
  it("turns the demo catalogue into tables and back into the same catalogue", () => {
    const demo = demoCatalogue();
    const a = tablesCatalogue(catalogueTables(demo));
    expect(a.problems).toEqual([]);
    const v = validateCatalogue(a.catalogue);
    expect(v.ok).toBe(true);
    // Same content: key order aside, every field of every record survives the round trip.
    expect(JSON.parse(JSON.stringify(a.catalogue))).toEqual(JSON.parse(JSON.stringify(demo)));
  });

  it("reads cells as people type them and refuses the rest with a reason in both languages", () => {
    const col = (table: "series" | "materials" | "calendar" | "matters", key: string) =>
      tableDef(table).columns.find((c) => c.key === key) as NonNullable<ReturnType<typeof tableDef>["columns"][number]>;
    expect(parseCell("8:30-12:00；13:30～17:00", col("series", "hours")).value).toEqual([
      { from: "08:30", to: "12:00" },
      { from: "13:30", to: "17:00" },
    ]);
    expect(parseCell("", col("series", "hours")).value).toEqual([]);
    expect(parseCell("否", col("materials", "essential")).value).toBe(false);
    expect(parseCell(undefined, col("materials", "essential")).value).toBe(true);
    expect(parseCell("2027年1月1日", col("calendar", "date")).value).toBe("2027-01-01");
    expect(parseCell(new Date(Date.UTC(2027, 0, 2)), col("calendar", "date")).value).toBe("2027-01-02");
    expect(parseCell("1,200", col("matters", "feeYuan")).value).toBe(1200);
    expect(parseCell("三天", col("matters", "promisedDays")).reason).toEqual({
      zh: "“三天”不是数字",
      en: '"三天" is not a number',
    });
    expect(parseCell("2.5", col("matters", "promisedDays")).reason?.zh).toBe("“2.5”不是整数");
    expect(parseCell("也许", col("matters", "selfPrint")).reason?.en).toBe('"也许" must be yes or no');
    expect(parseCell("", col("matters", "name")).reason).toEqual({ zh: "不能为空", en: "must not be empty" });
  });
});

describe("catalogue/import: files in, diff and problems out", () => {
  it("imports its own XLSX export with no diff and no problem", async () => {
    const demo = demoCatalogue();
    const xlsx = await catalogueXlsx(demo, "zh");
    const { report, catalogue } = await importCatalogue(demo, "v1", [{ name: "目录.xlsx", data: xlsx }]);
    expect(report.problems).toEqual([]);
    expect(report.diff).toEqual([]);
    expect(report.tables.sort()).toEqual(TABLES.map((t) => t.key).sort());
    expect(report.version).toBe("v1");
    expect(JSON.parse(JSON.stringify(catalogue))).toEqual(JSON.parse(JSON.stringify(demo)));
  });

  it("carries the floor alarms and the break plans (fields of the alarms and estimate features) both ways", async () => {
    const demo = demoCatalogue();
    const [q] = demo.queues;
    const [c1, c2] = demo.counters;
    if (!q || !c1 || !c2) throw new Error("demo hall without series or counters");
    q.waitingAlarm = 25;
    q.waitTargetMin = 12;
    demo.hall.pauseAlarmMin = 20;
    demo.hall.idleAlarmSec = 90;
    c1.breaks = [
      { from: "12:00", to: "13:00" },
      { from: "15:30", to: "15:45" },
    ];
    c2.pauseAlarmMin = 0;
    c2.idleAlarmSec = 300;
    expect(validateCatalogue(demo).ok).toBe(true);
    const xlsx = await catalogueXlsx(demo, "zh");
    const { report, catalogue } = await importCatalogue(demoCatalogue(), "v1", [{ name: "目录.xlsx", data: xlsx }]);
    expect(report.problems).toEqual([]);
    expect(JSON.parse(JSON.stringify(catalogue))).toEqual(JSON.parse(JSON.stringify(demo)));
    // …and the dry run names each of them as a change against the plain demo hall.
    const changed = report.diff.flatMap((d) => d.changed.flatMap((r) => r.fields.map((f) => `${d.table}.${f.column}`)));
    for (const f of ["series.waitingAlarm", "series.waitTargetMin", "counters.breaks", "counters.idleAlarmSec"])
      expect(changed).toContain(f);
  });

  it("imports its own CSV export (one file per table, English headers) with no diff", async () => {
    const demo = demoCatalogue();
    const files = TABLES.map((t) => ({
      name: `catalogue-${t.key}-2026-12-03.csv`,
      data: Buffer.from(catalogueCsv(demo, t.key, "en")),
    }));
    const { report, catalogue } = await importCatalogue(demo, "v1", files);
    expect(report.problems).toEqual([]);
    expect(report.diff).toEqual([]);
    expect(report.tables).toHaveLength(TABLES.length);
    expect(catalogue).toBeDefined();
  });

  it("reads a CSV saved by Excel on a Chinese Windows (GB18030), with quoted commas and line breaks", async () => {
    const demo = demoCatalogue();
    const zone = demo.zones[0] as Catalogue["zones"][number];
    const text = `编号,名称,英文名称,楼层\r\n${demo.zones
      .map((z) =>
        z.id === zone.id
          ? `${z.id},"综合受理区,一楼",${csvCell(z.nameEn)},"1F\n东侧"`
          : [z.id, z.name, z.nameEn, z.floor].map(csvCell).join(","),
      )
      .join("\r\n")}\r\n`;
    const asGb = await importCatalogue(demo, "v", [{ name: "区域.csv", data: encodeGb18030(text) }]);
    const asUtf8 = await importCatalogue(demo, "v", [{ name: "区域.csv", data: Buffer.from(text) }]);
    for (const { report } of [asGb, asUtf8]) {
      expect(report.problems).toEqual([]);
      expect(report.diff).toEqual([
        {
          table: "zones",
          added: [],
          removed: [],
          changed: [
            {
              key: zone.id,
              fields: [
                { column: "name", before: zone.name, after: "综合受理区,一楼" },
                { column: "floor", before: zone.floor, after: "1F\n东侧" },
              ],
            },
          ],
        },
      ]);
    }
  });

  it("lists every mistake of a workbook by sheet, row, column and reason, and makes no catalogue", async () => {
    const demo = demoCatalogue();
    const xlsx = await editedWorkbook(demo, (cell, wb) => {
      cell("事项", 2, "承诺时限（工作日）", "三天"); // not a number
      cell("事项", 3, "号类", "q-nope"); // no such series
      cell("事项", 4, "名称", ""); // empty
      cell("事项", 5, "名称", "很".repeat(41)); // too long
      cell("事项", 6, "编号", demo.matters[0]?.id as string); // a second m-001
      cell("号类", 2, "字头", "a"); // not capital letters
      cell("号类", 3, "取号时段", "8点到12点"); // not a time window
      cell("窗口", 2, "窗口号", 2); // number of another counter
      cell("日历", 2, "日期", "明天");
      // A material of a matter that does not exist.
      const ws = wb.getWorksheet("材料") as ExcelJS.Worksheet;
      ws.addRow(["m-none", 1, "身份证", "ID card", "是"]);
    });
    const { report, catalogue } = await importCatalogue(demo, "v1", [{ name: "目录.xlsx", data: xlsx }]);
    expect(catalogue).toBeUndefined();
    const where = report.problems.map((p) => `${p.sheet}!${p.row ?? "-"}:${p.column ?? "-"}`);
    for (const w of [
      "事项!2:promisedDays",
      "事项!3:queueId",
      "事项!4:name",
      "事项!5:name",
      "事项!6:id",
      "号类!2:prefix",
      "号类!3:hours",
      // The validator names the second counter with the number.
      "窗口!3:number",
      "日历!2:date",
    ])
      expect(where, w).toContain(w);
    const materialsRow = (wbRows: number) => `材料!${wbRows}:matterId`;
    const lastMaterialRow = catalogueTables(demo).materials.length + 2;
    expect(where).toContain(materialsRow(lastMaterialRow));
    // Every problem has both languages; a few read as the admin will see them.
    for (const p of report.problems) {
      expect(p.reason.zh.length, JSON.stringify(p)).toBeGreaterThan(0);
      expect(p.reason.en.length, JSON.stringify(p)).toBeGreaterThan(0);
    }
    const find = (w: string) => report.problems.find((p) => `${p.sheet}!${p.row ?? "-"}:${p.column ?? "-"}` === w);
    expect(find("事项!2:promisedDays")?.reason).toEqual({ zh: "“三天”不是数字", en: '"三天" is not a number' });
    expect(find("事项!3:queueId")?.reason.zh).toBe("引用的“q-nope”不存在");
    expect(find("事项!5:name")?.reason.zh).toBe("不能超过 40 个字");
    expect(find("事项!6:id")?.reason.zh).toMatch(/与第 2 行重复/);
    expect(find("号类!2:prefix")?.reason.zh).toBe("字头应为一到两个大写字母");
    expect(find(materialsRow(lastMaterialRow))?.reason).toEqual({ zh: "没有编号为“m-none”的事项", en: 'no matter "m-none"' });
    expect(find("窗口!3:number")?.reason.zh).toBe("窗口号 2 已被窗口 c01 使用");
  });

  it("keeps the tables a file leaves out, and a column a file leaves out", async () => {
    const demo = demoCatalogue();
    // The matters as an older export would have them: without the 自助打印 column.
    const def = tableDef("matters");
    const keep = def.columns.filter((c) => c.key !== "selfPrint");
    const rows = catalogueTables(demo).matters;
    const csv = [
      keep.map((c) => c.zh).join(","),
      ...rows.map((r) => keep.map((c) => csvCell(String(r[c.key] ?? ""))).join(",")),
    ].join("\n");
    const changed = csv.replace(/,(\d+),(\d+),(\d+(?:\.\d+)?)$/m, ",$1,$2,15");
    const { report, catalogue } = await importCatalogue(demo, "v", [{ name: "事项.csv", data: Buffer.from(changed) }]);
    expect(report.problems).toEqual([]);
    expect(report.tables).toEqual(["matters"]);
    expect(report.diff).toHaveLength(1);
    expect(report.diff[0]?.changed).toEqual([
      { key: rows[0]?.id, fields: [{ column: "feeYuan", before: rows[0]?.feeYuan, after: 15 }] },
    ]);
    // m-001 prints by itself in the demo: the missing column did not clear it.
    expect(catalogue?.matters.find((m) => m.id === "m-001")?.selfPrint).toBe(true);
    expect(catalogue?.counters).toEqual(demo.counters);
  });

  it("the committed fixture is the generator's catalogue: 47 departments, 1,410 matters, under 500 KB", async () => {
    expect(statSync(FIXTURE_XLSX).size).toBeLessThan(500 * 1024);
    const read = await readFiles([{ name: "reference-hall-catalogue.xlsx", data: readFileSync(FIXTURE_XLSX) }]);
    expect(read.problems).toEqual([]);
    const want = catalogueTables(fixtureCatalogue());
    const got = { ...want, ...read.tables };
    expect(Object.keys(read.tables).sort()).toEqual(Object.keys(want).sort());
    expect(diffTables(want, got)).toEqual([]);
    expect(got.departments).toHaveLength(47);
    expect(got.matters).toHaveLength(1410);
    expect(got.materials.length).toBeGreaterThan(1410 * 3);
  });
});

/** GB18030 bytes of a text (Node decodes GB18030 but has no encoder): through the decoder's table. */
function encodeGb18030(text: string): Buffer {
  const dec = new TextDecoder("gb18030");
  const table = new Map<string, number[]>();
  // Two-byte GBK covers every character this test writes.
  for (let a = 0x81; a <= 0xfe; a++)
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [a, b]);
    }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) out.push(code);
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no GB18030 bytes for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}
