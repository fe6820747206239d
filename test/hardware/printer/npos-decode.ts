import { createRequire } from "node:module";
import iconv from "iconv-lite";

/**
 * Decode ESC/POS bytes with the third-party `npos` parser, as an independent check of
 * our encoder (this file must never import hardware/printer/protocol.ts).
 *
 * npos knows no `GS ( k` (QR code) rule, so a copy of its rules gets one: after `GS ( k`
 * come pL pH and that many bytes. If our pL/pH were wrong, every command after the QR
 * code would be misread or npos would fail with "Can not parse commands".
 */

/** One command or text run, in stream order. */
export type DecodedItem =
  | { kind: "text"; text: string; bytes: Buffer }
  | { kind: "cmd"; name: string; params: Buffer }
  | { kind: "qr"; fn: number; data: Buffer };

interface NposNode {
  ascii: string;
  fn?: string;
  offset: number;
  length: number;
}

interface NposParser {
  analyze(raw: Buffer): { error?: Error; tree: NposNode[] | null };
}

interface Npos {
  rules: Record<number, unknown>;
  parser(rules: unknown): NposParser;
}

const require = createRequire(import.meta.url);
const npos = require("npos") as Npos;

function rulesWithQr(): unknown {
  const rules = structuredClone(npos.rules) as Record<number, Record<string, unknown>>;
  const gs = rules[0x1d];
  if (!gs) throw new Error("npos has no GS rules");
  // [0, "d16"]: no fixed bytes, then a 16-bit little-endian length and that many bytes.
  gs["(k"] = [0, "d16"];
  return rules;
}

/** Parse `raw` with npos; throws what npos reports when the stream cannot be parsed. */
export function decodeEscPos(raw: Buffer): DecodedItem[] {
  const ast = npos.parser(rulesWithQr()).analyze(raw);
  if (ast.error || !ast.tree) throw ast.error ?? new Error("npos returned no tree");
  const items: DecodedItem[] = [];
  for (const node of ast.tree) {
    const bytes = raw.subarray(node.offset, node.offset + node.length);
    if (node.ascii === "STX") {
      items.push({ kind: "text", text: iconv.decode(bytes, "gb18030"), bytes });
      continue;
    }
    const fn = node.fn ?? "";
    if (node.ascii === "GS" && fn === "(k") {
      // npos also swallows NUL bytes after a command, so the length comes from pL/pH.
      const len = raw.readUInt16LE(node.offset + 3);
      const body = raw.subarray(node.offset + 5, node.offset + 5 + len);
      // body: cn (0x31 for QR) fn m/params…; for store (fn 0x50) the data follows m.
      const qrFn = body[1] ?? 0;
      items.push({ kind: "qr", fn: qrFn, data: qrFn === 0x50 ? body.subarray(3) : body.subarray(2) });
      continue;
    }
    const head = 1 + fn.length;
    items.push({ kind: "cmd", name: `${node.ascii} ${fn}`, params: bytes.subarray(head) });
  }
  return items;
}

/** The text runs only, joined, with each run split into its printed lines. */
export function decodedLines(items: DecodedItem[]): string[] {
  return items
    .filter((i): i is Extract<DecodedItem, { kind: "text" }> => i.kind === "text")
    .map((i) => i.text)
    .join("")
    .split("\n")
    .filter((l) => l.length > 0);
}
