/** fontkit (a dependency of pdfkit) ships no types; the one call the PDF maker makes. */
declare module "fontkit" {
  /** Parse a font file; for a collection (.ttc), `postscriptName` picks the face. */
  export function create(buffer: Uint8Array, postscriptName?: string): unknown;
}
