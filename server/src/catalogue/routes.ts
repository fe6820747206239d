/**
 * REST routes of the catalogue's import and export (issue 13; docs/api.md "Catalogue import
 * and export", access rules in http/access.ts): admins only. Mounted by http/app.ts before
 * its 404 catch-all; the catalogue and its admin are read at request time, so the routes
 * exist (for the access matrix) in an app built from stubs.
 *
 * An import is two requests: the dry run answers the diff and every problem and names the
 * catalogue version it compared against; the apply sends the same files with that version
 * and is refused (CATALOGUE_CONFLICT) when the catalogue changed in between, or
 * (VALIDATION_FAILED) when the files have any problem. Nothing is applied otherwise.
 */
import { createHash } from "node:crypto";
import type { Express, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import type { Catalogue } from "../contract/catalogue.ts";
import { maskText } from "../audit/mask.ts";
import { CSV_TYPE, XLSX_TYPE } from "../export/table.ts";
import { HallError } from "../hall/errors.ts";
import { parse } from "../hall/validate.ts";
import { catalogueCsv, catalogueXlsx, type ImportFile } from "./files.ts";
import { type ImportOutcome, importCatalogue } from "./import.ts";
import { TABLE_KEYS } from "./sheets.ts";

/** Most files one import may hold, and the largest (the JSON body's limit, 4 MB, bounds them all). */
const MAX_FILES = 20;

export const catalogueSchemas = {
  exportXlsx: z.strictObject({ lang: z.enum(["zh", "en"]).optional() }),
  exportCsv: z.strictObject({ table: z.enum(TABLE_KEYS), lang: z.enum(["zh", "en"]).optional() }),
  files: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1).max(200),
        /** The file's bytes, base64. */
        base64: z.string().min(1).max(6_000_000),
        table: z.enum(TABLE_KEYS).optional(),
      }),
    )
    .min(1)
    .max(MAX_FILES),
};
const dryRunBody = z.strictObject({ files: catalogueSchemas.files });
const applyBody = z.strictObject({ files: catalogueSchemas.files, version: z.string().min(1).max(64) });

export interface CatalogueRouteDeps {
  /** Middleware chain that lets only admins through (and sets `req.staff`). */
  admin: RequestHandler[];
  /** The catalogue in force and its version as pages hold it. */
  catalogue: () => { catalogue: Catalogue; version: string };
  /** What a new catalogue may not drop today (hall/catalogue-admin.ts). */
  inUse: (c: Catalogue) => string[];
  /** Saves and swaps in a catalogue made on `version` (CATALOGUE_CONFLICT otherwise). */
  replace: (c: Catalogue, version: string) => Promise<void>;
  /** Records the import in the audit log before the reply. */
  audit: (
    req: Request,
    rec: { action: "catalogue.import"; detail: Record<string, unknown>; change: { before: unknown; after: unknown } },
  ) => Promise<void>;
  today: () => string;
}

function decode(files: z.infer<typeof catalogueSchemas.files>): ImportFile[] {
  return files.map((f) => ({
    name: f.name,
    data: Buffer.from(f.base64, "base64"),
    ...(f.table ? { table: f.table } : {}),
  }));
}

export function mountCatalogueRoutes(app: Express, d: CatalogueRouteDeps): void {
  app.get("/api/catalogue/export.xlsx", ...d.admin, async (req: Request, res: Response) => {
    const q = parse(catalogueSchemas.exportXlsx, req.query);
    const body = await catalogueXlsx(d.catalogue().catalogue, q.lang ?? "zh");
    res
      .set("content-type", XLSX_TYPE)
      .set("content-disposition", `attachment; filename="catalogue-${d.today()}.xlsx"`)
      .set("cache-control", "no-store")
      .send(body);
  });
  app.get("/api/catalogue/export.csv", ...d.admin, (req: Request, res: Response) => {
    const q = parse(catalogueSchemas.exportCsv, req.query);
    res
      .set("content-type", CSV_TYPE)
      .set("content-disposition", `attachment; filename="catalogue-${q.table}-${d.today()}.csv"`)
      .set("cache-control", "no-store")
      .send(catalogueCsv(d.catalogue().catalogue, q.table, q.lang ?? "zh"));
  });
  /**
   * The last dry run, by the files' digest and the version it ran on: the apply that follows
   * with the same files on the same version reuses it instead of reading the workbook again
   * (half of an import's time). Anything else is computed afresh.
   */
  let last: { key: string; outcome: ImportOutcome } | undefined;
  const digest = (files: z.infer<typeof catalogueSchemas.files>, version: string) =>
    createHash("sha256")
      .update(JSON.stringify([version, files]))
      .digest("base64url");
  const run = async (files: z.infer<typeof catalogueSchemas.files>): Promise<ImportOutcome> => {
    const { catalogue, version } = d.catalogue();
    const key = digest(files, version);
    if (last?.key === key) return last.outcome;
    const outcome = await importCatalogue(catalogue, version, decode(files), d.inUse);
    last = { key, outcome };
    return outcome;
  };
  app.post("/api/catalogue/import/dry-run", ...d.admin, async (req: Request, res: Response) => {
    const b = parse(dryRunBody, req.body);
    res.set("cache-control", "no-store").json((await run(b.files)).report);
  });
  app.post("/api/catalogue/import", ...d.admin, async (req: Request, res: Response) => {
    const b = parse(applyBody, req.body);
    const { catalogue: before, version } = d.catalogue();
    if (b.version !== version) throw new HallError("CATALOGUE_CONFLICT", "the catalogue changed since the dry run: run it again");
    const { report, catalogue } = await run(b.files);
    if (!catalogue)
      throw new HallError("VALIDATION_FAILED", `the files have ${report.problems.length} problems: see the dry run`);
    last = undefined;
    await d.replace(catalogue, b.version);
    await d.audit(req, {
      action: "catalogue.import",
      // File names are typed by people: an ID or phone number in one is masked like any free text.
      detail: { files: b.files.map((f) => maskText(f.name)), tables: report.tables, counts: report.counts },
      change: { before, after: catalogue },
    });
    res.json({ ...report, version: d.catalogue().version });
  });
}
