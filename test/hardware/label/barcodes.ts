/**
 * Code 128 payloads out of a label, from the commands the third-party `npos` parser split
 * (test/hardware/printer/npos-decode.ts); never from our encoder.
 */
import type { DecodedItem } from "../printer/npos-decode.ts";

/** Code 128 payloads (GS k m=73) as npos split them: m, n, then n data bytes. */
export function barcodes(items: DecodedItem[]): string[] {
  return items.flatMap((i) => {
    if (i.kind !== "cmd" || i.name !== "GS k") return [];
    const m = i.params[0];
    const n = i.params[1] ?? 0;
    if (m !== 73) return [];
    const data = i.params.subarray(2, 2 + n).toString("ascii");
    // Code set selection ({A {B {C) is not data; "{{" is a literal brace.
    return [data.replace(/^\{[ABC]/, "").replaceAll("{{", "{")];
  });
}
