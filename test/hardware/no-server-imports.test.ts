/**
 * hardware/ stands on its own: drivers, protocols, transports and simulators use their
 * own small types (hardware/types.ts) and the server adapts them (server/src/devices/).
 * This fails as soon as any file under hardware/ imports something under server/, in
 * any form TypeScript or Node would follow.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const HARDWARE = join(ROOT, "hardware");
const SERVER = join(ROOT, "server");
const SOURCE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Module specifiers of `text`: static imports and re-exports (type-only too), side-effect
 * imports, `import()` and `require()`, as TypeScript's own pre-processor finds them.
 */
function specifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The specifiers in `text` (of a file at `file`) that lead into server/. */
function serverImports(file: string, text: string): string[] {
  return specifiers(text).filter((s) => {
    // Bare names are packages; only paths can reach the repository's own server/.
    if (!(s.startsWith(".") || s.startsWith("/") || s.startsWith("file:"))) return false;
    const target = s.startsWith("file:") ? new URL(s).pathname : resolve(dirname(file), s);
    return target === SERVER || target.startsWith(SERVER + sep);
  });
}

describe("hardware/ imports nothing from server/", () => {
  it("finds every form of import that would reach server/ (so a clean result means something)", () => {
    const file = join(HARDWARE, "printer", "driver.ts");
    const text = [
      `import type { DeviceStatus } from "../../server/src/contract/devices.ts";`,
      `import { x } from '../../server/src/x.ts';`,
      `export { y } from "../../server/src/y.ts";`,
      `export type * from "../../server/src/z.ts";`,
      `import "../../server/src/side-effect.ts";`,
      `const m = await import("../../server/src/lazy.ts");`,
      `const r = require("../../server/src/cjs.js");`,
      `import { ok } from "../transport/link.ts";`,
      `import { also } from "../../serverless/thing.ts";`,
      `import ModbusRTU from "modbus-serial";`,
      `// import { no } from "../../server/src/comment.ts";`,
    ].join("\n");
    expect(serverImports(file, text)).toEqual([
      "../../server/src/contract/devices.ts",
      "../../server/src/x.ts",
      "../../server/src/y.ts",
      "../../server/src/z.ts",
      "../../server/src/side-effect.ts",
      "../../server/src/lazy.ts",
      "../../server/src/cjs.js",
    ]);
  });

  it("holds for every source file under hardware/", () => {
    const files = sourceFiles(HARDWARE);
    // The walk found the drivers: an empty or misplaced folder must not pass by accident.
    expect(files.map((f) => relative(ROOT, f))).toEqual(
      expect.arrayContaining([join("hardware", "printer", "driver.ts"), join("hardware", "types.ts")]),
    );
    const offenders = files.flatMap((f) =>
      serverImports(f, readFileSync(f, "utf8")).map((s) => `${relative(ROOT, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
