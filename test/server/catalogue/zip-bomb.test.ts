/**
 * A zip bomb sent as a catalogue workbook: a real zip (written here by the format's own
 * rules, APPNOTE 4.3) whose few hundred kilobytes inflate to 100 MiB of zeros — a real
 * workbook exported by the hub with one highly compressible entry added — goes through fetch
 * to the real import routes and is refused with 413 CATALOGUE_FILE_TOO_LARGE before exceljs
 * unpacks it; so are a zip of too many entries and one whose directory understates an
 * entry's size. Nothing changes, nothing is audited, and the hub answers on, importing the
 * reference hall's real file (whose measured size the bounds are set against) right after.
 */
import { readFileSync } from "node:fs";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_XLSX } from "../../../bench/catalogue-fixture.ts";
import type { ImportReport } from "../../../server/src/catalogue/import.ts";
import { checkXlsxZip, MAX_XLSX_ENTRIES, MAX_XLSX_INFLATED } from "../../../server/src/catalogue/zip-guard.ts";
import type { AuditPage } from "../../../server/src/contract/audit.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { startTestHub, type TestHub } from "../../helpers/hub.ts";

interface Entry {
  name: string;
  /** The bytes as stored (deflated when `method` is 8). */
  data: Buffer;
  method: 0 | 8;
  crc: number;
  /** The inflated size the directory declares. */
  size: number;
}

/** The entries of a zip as written (central directory walked; data kept deflated). */
function entriesOf(zip: Buffer): Entry[] {
  let end = zip.length - 22;
  while (zip.readUInt32LE(end) !== 0x06054b50) end--;
  const out: Entry[] = [];
  let p = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const n = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const from = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.push({
      name: zip.toString("utf8", p + 46, p + 46 + n),
      method: zip.readUInt16LE(p + 10) as 0 | 8,
      crc: zip.readUInt32LE(p + 16),
      data: zip.subarray(from, from + zip.readUInt32LE(p + 20)),
      size: zip.readUInt32LE(p + 24),
    });
    p += 46 + n + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

/** A zip of these entries: local headers with their data, then the central directory. */
function zipOf(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(e.method, 10);
    dir.writeUInt32LE(e.crc, 16);
    dir.writeUInt32LE(e.data.length, 20);
    dir.writeUInt32LE(e.size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, e.data);
    central.push(dir, name);
    offset += local.length + name.length + e.data.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBytes, end]);
}

const MiB = 1024 * 1024;
/** 100 MiB of zeros, deflated (about 100 KB): the bomb's payload. */
const zeros = Buffer.alloc(100 * MiB);
const bomb = { data: deflateRawSync(zeros, { level: 9 }), crc: crc32(zeros), size: zeros.length };
/** What the payload inflates to, measured before the hub starts (inflating blocks this thread, the hub's too). */
const bombInflated = inflateRawSync(bomb.data).length;

describe("catalogue import: a workbook that unpacks to too much", () => {
  let t: TestHub;
  let admin = "";
  let workbook: Buffer;
  const hall = async () => (await t.api<Catalogue>("GET", "/api/hall")).body;
  const send = (path: string, zip: Buffer, version?: string) =>
    t.api<ImportReport & { error?: { code: string } }>(
      "POST",
      path,
      { files: [{ name: "事项目录.xlsx", base64: zip.toString("base64") }], ...(version ? { version } : {}) },
      admin,
    );

  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
    // A real workbook: the hub's own export of its catalogue.
    const r = await fetch(`${t.url}/api/catalogue/export.xlsx`, { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    workbook = Buffer.from(await r.arrayBuffer());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("the bounds stand far above the reference hall's real file, which passes", async () => {
    const fixture = readFileSync(FIXTURE_XLSX);
    const v = await checkXlsxZip(fixture);
    expect(v).toEqual({ ok: true, entries: 26, inflated: 2_469_376 });
    if (!v.ok) return;
    expect(MAX_XLSX_INFLATED).toBeGreaterThanOrEqual(20 * v.inflated);
    expect(MAX_XLSX_ENTRIES).toBeGreaterThanOrEqual(20 * v.entries);
    // The hub's own export passes too, and the test's zip writer rewrites it faithfully.
    expect((await checkXlsxZip(workbook)).ok).toBe(true);
    const again = zipOf(entriesOf(workbook));
    expect((await checkXlsxZip(again)).ok).toBe(true);
    const dry = await send("/api/catalogue/import/dry-run", again);
    expect(dry.status).toBe(200);
    expect(dry.body.problems).toEqual([]);
  });

  it("refuses a real workbook with a 100 MiB entry of zeros (a few hundred KB sent): 413, nothing changed, hub answers", async () => {
    const before = await hall();
    const zip = zipOf([...entriesOf(workbook), { name: "xl/media/image1.bin", method: 8, ...bomb }]);
    expect(zip.length).toBeLessThan(2 * MiB);
    // The payload really is what it says: it inflates to 100 MiB.
    expect(bombInflated).toBe(100 * MiB);

    const dry = await send("/api/catalogue/import/dry-run", zip);
    expect(dry.status).toBe(413);
    expect(dry.body.error?.code).toBe("CATALOGUE_FILE_TOO_LARGE");
    const apply = await send("/api/catalogue/import", zip, before.version);
    expect(apply.status).toBe(413);
    expect(apply.body.error?.code).toBe("CATALOGUE_FILE_TOO_LARGE");

    // Nothing changed, nothing audited, and the hub goes on answering.
    expect((await hall()).version).toBe(before.version);
    const audit = await t.api<AuditPage>("GET", "/api/audit?action=catalogue.import", undefined, admin);
    expect(audit.status).toBe(200);
    expect(audit.body.rows).toEqual([]);
    const health = await t.api<{ ok: boolean }>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
  });

  it("refuses a directory that understates an entry's size, and a zip of too many entries", async () => {
    const before = await hall();
    // Declares 1 KB; inflates to 100 MiB: refused when inflating passes what it declared.
    const liar = zipOf([...entriesOf(workbook), { name: "xl/media/image1.bin", method: 8, ...bomb, size: 1024 }]);
    const dry = await send("/api/catalogue/import/dry-run", liar);
    expect(dry.status).toBe(413);
    expect(dry.body.error?.code).toBe("CATALOGUE_FILE_TOO_LARGE");

    const tiny = Buffer.from("<x/>");
    const many = zipOf([
      ...entriesOf(workbook),
      ...Array.from({ length: MAX_XLSX_ENTRIES }, (_, i) => ({
        name: `xl/media/p${i}.xml`,
        method: 0 as const,
        data: tiny,
        crc: crc32(tiny),
        size: tiny.length,
      })),
    ]);
    const r = await send("/api/catalogue/import/dry-run", many);
    expect(r.status).toBe(413);
    expect(r.body.error?.code).toBe("CATALOGUE_FILE_TOO_LARGE");

    // A zip cut short is no workbook: a problem of the file, as before (not a 413).
    const cut = await send("/api/catalogue/import/dry-run", workbook.subarray(0, workbook.length - 100));
    expect(cut.status).toBe(200);
    expect(cut.body.problems.map((p) => p.reason.en)).toEqual(["not a valid Excel (.xlsx) file"]);

    expect((await hall()).version).toBe(before.version);
    // The real file imports right after: the hub is whole.
    const fixture = readFileSync(FIXTURE_XLSX).toString("base64");
    const ok = await t.api<ImportReport>(
      "POST",
      "/api/catalogue/import/dry-run",
      { files: [{ name: "reference-hall-catalogue.xlsx", base64: fixture }] },
      admin,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.problems).toEqual([]);
  }, 60_000);
});
