/**
 * Catalogue import and export through a real hub, with fetch as the admin page uses it: the
 * reference hall's file (1,410 matters) dry-runs with its diff, applies with the version the
 * dry run saw, is in the audit log, and the kiosk's search (ui-shared/search.ts, on the
 * catalogue as GET /api/hall serves it) finds its matters by name and pinyin initials. A
 * file with mistakes lists them and changes nothing; a stale version is a conflict, for the
 * import and for the page's PUT with If-Match: two admins never silently overwrite each other.
 */
import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_XLSX } from "../../../bench/catalogue-fixture.ts";
import type { ImportReport } from "../../../server/src/catalogue/import.ts";
import type { AuditPage } from "../../../server/src/contract/audit.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { searchMatters } from "../../../ui-shared/search.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

const fixture = () => [{ name: "reference-hall-catalogue.xlsx", base64: readFileSync(FIXTURE_XLSX).toString("base64") }];

describe("catalogue import and export over REST", () => {
  let t: TestHub;
  let admin = "";
  const hall = async () => (await t.api<Catalogue>("GET", "/api/hall")).body;

  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("exports the catalogue as a workbook of one sheet per table and a table as CSV", async () => {
    const r = await fetch(`${t.url}/api/catalogue/export.xlsx`, { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="catalogue-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await r.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "大厅",
      "区域",
      "部门",
      "事项",
      "材料",
      "号类",
      "窗口",
      "工作方案",
      "日历",
      "近义词",
      "站点",
    ]);
    const cat = await hall();
    expect(wb.getWorksheet("事项")?.actualRowCount).toBe(cat.matters.length + 1);
    expect(wb.getWorksheet("事项")?.getRow(2).getCell(2).value).toBe(cat.matters[0]?.name);

    const csv = await t.api<string>("GET", "/api/catalogue/export.csv?table=series&lang=en", undefined, admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toMatch(/^Id,Prefix,Name,English name,Zone,/);
    expect(lines).toHaveLength(cat.queues.length + 1);
    expect((await t.api("GET", "/api/catalogue/export.csv?table=nope", undefined, admin)).status).toBe(400);
    const clerk = (await t.login("zhangwei")).token;
    expect((await t.api("GET", "/api/catalogue/export.xlsx", undefined, clerk)).status).toBe(403);
  });

  it("a file with mistakes lists them in the dry run, and the apply refuses it, changing nothing", async () => {
    const before = await hall();
    const csv = "编号,名称,英文名称,楼层\r\nz1,,Zone 1,1F\r\nz 2,二区,Zone 2,\r\n";
    const files = [{ name: "区域.csv", base64: Buffer.from(csv).toString("base64") }];
    const dry = await t.api<ImportReport>("POST", "/api/catalogue/import/dry-run", { files }, admin);
    expect(dry.status).toBe(200);
    expect(dry.body.version).toBe(before.version);
    const at = dry.body.problems.map((p) => `${p.sheet}!${p.row}:${p.column}`);
    expect(at).toEqual(expect.arrayContaining(["区域.csv!2:name", "区域.csv!3:id", "区域.csv!3:floor"]));
    // Removing zones the departments stand in is named where it bites: on their rows.
    expect(dry.body.problems.some((p) => p.table === "departments" && /不存在/.test(p.reason.zh))).toBe(true);
    const apply = await t.api("POST", "/api/catalogue/import", { files, version: dry.body.version }, admin);
    expect(apply.status).toBe(400);
    expect(apply.body.error.code).toBe("VALIDATION_FAILED");
    expect(await hall()).toEqual(before);
  });

  it("imports the reference hall's 1,410 matters: dry run, apply with its version, audit, kiosk search", async () => {
    const before = await hall();
    const dry = await t.api<ImportReport>("POST", "/api/catalogue/import/dry-run", { files: fixture() }, admin);
    expect(dry.status).toBe(200);
    expect(dry.body.problems).toEqual([]);
    // The demo's 108 matters stay; the file adds the county bureaus' 1,302.
    expect(dry.body.counts.matters?.added).toBe(1302);
    expect(dry.body.counts.departments?.added).toBe(27);
    expect(dry.body.counts.matters?.removed ?? 0).toBe(0);
    // Nothing is applied by a dry run.
    expect((await hall()).version).toBe(before.version);

    const ok = await t.api<ImportReport>("POST", "/api/catalogue/import", { files: fixture(), version: dry.body.version }, admin);
    expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).toBe(200);
    const after = await hall();
    expect(after.version).toBe(ok.body.version);
    expect(after.version).not.toBe(before.version);
    expect(after.departments).toHaveLength(47);
    expect(after.matters).toHaveLength(1410);
    expect(after.counters).toHaveLength(150);
    expect(after.hall.calendarOverrides?.find((o) => o.date === "2027-10-09")).toEqual({
      date: "2027-10-09",
      workday: true,
      note: "国庆节调休上班",
    });

    // The kiosk's search on the served catalogue: by name, by initials, by full pinyin.
    const m = after.matters.find((x) => x.name === "危险化学品经营许可");
    expect(m?.initials).toBe("wxhxpjyxk");
    expect(searchMatters(after.matters, "危险化学品经营许可")[0]?.id).toBe(m?.id);
    expect(searchMatters(after.matters, "wxhxpjyxk")[0]?.id).toBe(m?.id);
    expect(searchMatters(after.matters, "weixianhuaxuepin").map((x) => x.id)).toContain(m?.id);

    // In the audit log, with what changed.
    const log = await t.api<AuditPage>("GET", "/api/audit?action=catalogue.import", undefined, admin);
    const row = log.body.rows[0];
    expect(row).toMatchObject({ actorName: "管理员", action: "catalogue.import" });
    expect(row?.detail.files).toEqual(["reference-hall-catalogue.xlsx"]);
    expect(row?.detail.counts).toMatchObject({ matters: { added: 1302, changed: 0, removed: 0 } });
    expect(row?.detail.changes?.length).toBeGreaterThan(0);

    // The same file again: nothing to change.
    const again = await t.api<ImportReport>("POST", "/api/catalogue/import/dry-run", { files: fixture() }, admin);
    expect(again.body.diff).toEqual([]);
  });

  it("refuses an import made on an older version, and a stale PUT (If-Match): the second admin gets a conflict", async () => {
    const cat = await hall();
    const first = await t.api("PUT", "/api/catalogue", { ...cat, hall: { ...cat.hall, notice: "甲管理员的通知" } }, admin, {
      "if-match": `"${cat.version}"`,
    });
    expect(first.status).toBe(200);
    // A second admin saves an edit made on the same, now stale, copy.
    const second = await t.api("PUT", "/api/catalogue", { ...cat, hall: { ...cat.hall, notice: "乙管理员的通知" } }, admin, {
      "if-match": `"${cat.version}"`,
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("CATALOGUE_CONFLICT");
    expect((await hall()).hall.notice).toBe("甲管理员的通知");

    const stale = await t.api("POST", "/api/catalogue/import", { files: fixture(), version: cat.version }, admin);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("CATALOGUE_CONFLICT");
  });
});
