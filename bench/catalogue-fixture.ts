/**
 * The reference hall's catalogue as an import file (issue 13): 47 departments and 1,410
 * matters with their materials (shared/context/reference-hall.md), the demo hall's 20
 * departments and 108 matters grown with the county bureaus that moved in (bench/reference-hall.ts),
 * plus what a real hall's file holds beside names: each bureau's own application form first
 * in its materials, 容缺 (non-essential) materials, fees, self-printed certificates, 150
 * counters with their work profiles and the year's calendar overrides (调休).
 *
 * Deterministic: the same catalogue on every run. `npx tsx bench/catalogue-fixture.ts`
 * writes test/fixtures/reference-hall-catalogue.xlsx; test/server/catalogue/ checks the
 * committed file still holds exactly this catalogue.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalogueXlsx } from "../server/src/catalogue/files.ts";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../server/src/seed/demo-hall.ts";
import type { ConfigData } from "../server/src/store/config.ts";
import { ROOT } from "./lib.ts";
import { growToReference } from "./reference-hall.ts";

export const FIXTURE_XLSX = join(ROOT, "test/fixtures/reference-hall-catalogue.xlsx");

/** The calendar overrides of a year: holidays on weekdays and the weekend days worked instead (调休). */
const CALENDAR: { date: string; workday: boolean; note: string }[] = [
  { date: "2027-01-01", workday: false, note: "元旦" },
  { date: "2027-02-06", workday: false, note: "春节" },
  { date: "2027-02-08", workday: false, note: "春节" },
  { date: "2027-02-09", workday: false, note: "春节" },
  { date: "2027-02-10", workday: false, note: "春节" },
  { date: "2027-02-11", workday: false, note: "春节" },
  { date: "2027-02-12", workday: false, note: "春节" },
  { date: "2027-02-20", workday: true, note: "春节调休上班" },
  { date: "2027-04-05", workday: false, note: "清明节" },
  { date: "2027-05-03", workday: false, note: "劳动节" },
  { date: "2027-05-04", workday: false, note: "劳动节" },
  { date: "2027-05-05", workday: false, note: "劳动节" },
  { date: "2027-05-08", workday: true, note: "劳动节调休上班" },
  { date: "2027-06-09", workday: false, note: "端午节" },
  { date: "2027-09-15", workday: false, note: "中秋节" },
  { date: "2027-10-01", workday: false, note: "国庆节" },
  { date: "2027-10-04", workday: false, note: "国庆节" },
  { date: "2027-10-05", workday: false, note: "国庆节" },
  { date: "2027-10-06", workday: false, note: "国庆节" },
  { date: "2027-10-07", workday: false, note: "国庆节" },
  { date: "2027-10-09", workday: true, note: "国庆节调休上班" },
];

/** Fees of the generated matters, yuan (most are free, as in the hall). */
const FEES = [0, 0, 0, 0, 0, 0, 10, 0, 0, 80, 0, 0, 0, 5, 0, 0, 0, 0, 0, 200];

export function fixtureCatalogue(): Catalogue {
  const data = { catalogue: demoCatalogue(), devices: [] } as unknown as ConfigData;
  growToReference(data);
  const c = data.catalogue;
  c.matters = c.matters.map((m, i) => {
    if (!m.id.startsWith("m-r")) return m;
    // Each generated matter's first material is its own application form (…申请表), as a real list reads.
    const form = `${m.name.slice(0, 30)}申请表`;
    const materials = [form, ...m.materials.filter((x) => !x.startsWith("申请表"))];
    const materialsEn = [
      `Application form: ${m.nameEn}`.slice(0, 100).trimEnd(),
      ...(m.materialsEn ?? []).filter((x) => !x.startsWith("Application form")),
    ];
    const fee = FEES[i % FEES.length] as number;
    return {
      ...m,
      materials,
      materialsEn,
      // 容缺受理: with four materials or more, the last may follow later.
      ...(materials.length >= 4 ? { materialsEssential: materials.map((_, k) => k < materials.length - 1) } : {}),
      feeYuan: fee,
      ...(i % 9 === 0 ? { selfPrint: true } : {}),
    };
  });
  c.hall = { ...c.hall, calendarOverrides: CALENDAR };
  return c;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // A fixed creation date: the file changes only when the catalogue does.
  const body = await catalogueXlsx(fixtureCatalogue(), "zh", new Date("2026-12-01T00:00:00Z"));
  writeFileSync(FIXTURE_XLSX, body);
  console.log(`wrote ${FIXTURE_XLSX} (${(body.length / 1024).toFixed(0)} KB)`);
}
