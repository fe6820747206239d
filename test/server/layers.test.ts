import { readFileSync, readdirSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, posix, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The hub's layering (docs/architecture.md), checked on the import statements of every
 * .ts file under server/src and hardware/:
 * - core/ is pure: it imports core/ and contract/ only (no node:*, no packages);
 * - contract/ imports contract/ only (the pages import it too);
 * - hall/ (the application layer) imports no adapter and no driver;
 * - adapters (http/, realtime/, devices/, voice/) never import one another, and take from
 *   store/ (another adapter: journal, config files, schemas) types only — what they need of
 *   it at run time comes through hall/ (e.g. hall/validate.ts's parseDeviceConfig);
 * - hardware/ never imports server/;
 * - nothing outside hall/ and core/ touches the engine state (`engineState()`): adapters
 *   use the hall's queries.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const ADAPTERS = ["http", "realtime", "devices", "voice"] as const;
/** What the application layer must not depend on: the adapters, pairing's routes and sockets, the drivers. */
const NOT_FOR_HALL = [...ADAPTERS, "pairing", "hardware"];

/**
 * Known violations, each to be removed by the helper named, so the lead can empty this list
 * at merge. An entry that no longer occurs fails the test too: the list only shrinks.
 * Format: `<importing file> -> <imported file>` (paths from the repository root), or
 * `<file> -> engineState()`.
 */
const ALLOWED = new Set<string>([]);

interface Violation {
  rule: string;
  key: string;
}

/** Every .ts file under `dir`, as paths from the repository root. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Where a file sits: `hardware`, a folder of server/src (`core`, `hall` …), or `root` (app.ts, main.ts). */
function layerOf(file: string): string {
  if (file.startsWith("hardware/")) return "hardware";
  const rest = file.startsWith("server/src/") ? file.slice("server/src/".length) : file;
  const slash = rest.indexOf("/");
  if (file.startsWith("server/src/")) return slash < 0 ? "root" : rest.slice(0, slash);
  return "outside";
}

/** Module specifiers of every import, export-from and dynamic import (TypeScript's own scanner). */
function specifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * Specifiers of imports and re-exports that bring values, not only types
 * (`import type { A }`, `import { type A }` and `export type … from` bring none).
 */
function valueSpecifiers(text: string): string[] {
  const src = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const st of src.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      const typeOnly =
        c !== undefined &&
        (c.isTypeOnly ||
          (!c.name &&
            c.namedBindings !== undefined &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(st.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) && !st.isTypeOnly)
      out.push(st.moduleSpecifier.text);
  }
  return out;
}

/** Check a set of files (path → source text) against the rules; returns every violation. */
function checkLayers(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    for (const spec of specifiers(text)) {
      const relativeSpec = spec.startsWith(".");
      const target = relativeSpec ? posix.normalize(posix.join(posix.dirname(file), spec)) : spec;
      const to = relativeSpec ? layerOf(target) : "package";
      const key = `${file} -> ${target}`;
      const isBuiltin = spec.startsWith("node:") || builtinModules.includes(spec);
      if (from === "core" && !(to === "core" || to === "contract"))
        out.push({ rule: `core/ imports only core/ and contract/${isBuiltin ? " (no node:*)" : ""}`, key });
      if (from === "contract" && to !== "contract") out.push({ rule: "contract/ imports only contract/", key });
      if (from === "hall" && NOT_FOR_HALL.includes(to)) out.push({ rule: `hall/ imports no adapter or driver (${to})`, key });
      if ((ADAPTERS as readonly string[]).includes(from) && (ADAPTERS as readonly string[]).includes(to) && from !== to)
        out.push({ rule: `adapter ${from}/ imports adapter ${to}/`, key });
      if (from === "hardware" && relativeSpec && target.startsWith("server/"))
        out.push({ rule: "hardware/ imports server/", key });
    }
    if ((ADAPTERS as readonly string[]).includes(from))
      for (const spec of valueSpecifiers(text)) {
        if (!spec.startsWith(".")) continue;
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        if (layerOf(target) === "store")
          out.push({ rule: `adapter ${from}/ imports store/ code (types only)`, key: `${file} -> ${target}` });
      }
    // The engine state stays inside the application layer: adapters use the hall's queries.
    if (from !== "hall" && from !== "core" && /\.engineState\(/.test(text))
      out.push({ rule: "engine state read outside hall/", key: `${file} -> engineState()` });
  }
  return out;
}

function repositoryFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of [...tsFiles("server/src"), ...tsFiles("hardware")]) files.set(f, readFileSync(join(ROOT, f), "utf8"));
  return files;
}

describe("layers", () => {
  it("the hub's source keeps the layering (apart from the listed exceptions)", () => {
    const files = repositoryFiles();
    // Sanity: the walk found the code (an empty walk would pass vacuously).
    expect(files.has("server/src/hall/service.ts")).toBe(true);
    expect(files.has("hardware/printer/protocol.ts")).toBe(true);
    const found = checkLayers(files);
    const unexpected = found.filter((v) => !ALLOWED.has(v.key)).map((v) => `${v.rule}: ${v.key}`);
    expect(unexpected).toEqual([]);
  });

  it("every listed exception still occurs (fixed ones are taken off the list)", () => {
    const found = new Set(checkLayers(repositoryFiles()).map((v) => v.key));
    expect([...ALLOWED].filter((k) => !found.has(k))).toEqual([]);
  });

  it("catches each kind of violation", () => {
    const bad = new Map<string, string>([
      ["server/src/core/x.ts", 'import { readFile } from "node:fs";\nimport type { T } from "../hall/service.ts";'],
      ["server/src/contract/x.ts", 'import type { HallState } from "../core/index.ts";'],
      ["server/src/hall/x.ts", 'import { createHttpApp } from "../http/app.ts";\nexport * from "../devices/port.ts";'],
      ["server/src/hall/y.ts", 'const m = await import("../realtime/server.ts");'],
      ["server/src/realtime/x.ts", 'import { schemas } from "../http/validate.ts";'],
      ["server/src/devices/x.ts", 'import type { Announcer } from "../voice/announcer.ts";'],
      ["hardware/printer/x.ts", 'import type { DeviceStatus } from "../../server/src/contract/devices.ts";'],
      ["server/src/http/x.ts", "const s = d.hall.engineState().tickets;"],
      ["server/src/devices/z.ts", 'import { deviceConfigSchema } from "../store/catalogue-schema.ts";'],
      ["server/src/voice/x.ts", 'import { type A, writeFileDurable } from "../store/durable-file.ts";'],
    ]);
    const keys = checkLayers(bad).map((v) => v.key);
    expect(keys).toEqual([
      "server/src/core/x.ts -> node:fs",
      "server/src/core/x.ts -> server/src/hall/service.ts",
      "server/src/contract/x.ts -> server/src/core/index.ts",
      "server/src/hall/x.ts -> server/src/http/app.ts",
      "server/src/hall/x.ts -> server/src/devices/port.ts",
      "server/src/hall/y.ts -> server/src/realtime/server.ts",
      "server/src/realtime/x.ts -> server/src/http/validate.ts",
      "server/src/devices/x.ts -> server/src/voice/announcer.ts",
      "hardware/printer/x.ts -> server/src/contract/devices.ts",
      "server/src/http/x.ts -> engineState()",
      "server/src/devices/z.ts -> server/src/store/catalogue-schema.ts",
      "server/src/voice/x.ts -> server/src/store/durable-file.ts",
    ]);
  });

  it("allows what the layering allows", () => {
    const fine = new Map<string, string>([
      ["server/src/core/x.ts", 'import type { Ticket } from "../contract/tickets.ts";\nimport { apply } from "./apply.ts";'],
      ["server/src/hall/x.ts", 'import { decide } from "../core/index.ts";\nimport { Journal } from "../store/journal.ts";'],
      ["server/src/http/x.ts", 'import type { HallService } from "../hall/service.ts";\nimport express from "express";'],
      ["server/src/realtime/x.ts", 'import { schemas } from "../hall/validate.ts";'],
      ["server/src/app.ts", 'import { Realtime } from "./realtime/server.ts";\nimport { createHttpApp } from "./http/app.ts";'],
      ["hardware/printer/x.ts", 'import { crc } from "../transport/crc.ts";'],
      ["server/src/hall/z.ts", "this.hall.engineState();"],
      ["server/src/devices/y.ts", 'import type { ConfigStore } from "../store/config.ts";'],
      ["server/src/http/y.ts", 'import { type ConfigStore, type StaffRecord } from "../store/config.ts";'],
    ]);
    expect(checkLayers(fine)).toEqual([]);
  });
});
