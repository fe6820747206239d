/**
 * The shared ledger exporter (export/table.ts): what the help desk's and the post's ledgers
 * are written with. CSV read back by splitting, XLSX read back by exceljs.
 */
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { type ExportColumn, csvCell, toCsv, toXlsx } from "../../../server/src/export/table.ts";

interface Row {
  name: string;
  n: number;
}
const COLS: ExportColumn<Row>[] = [
  { key: "name", zh: "名称", en: "Name", value: (r) => r.name },
  { key: "n", zh: "数量", en: "Count", value: (r) => r.n },
];
const ROWS: Row[] = [
  { name: '=HYPERLINK("http://evil")', n: 1 },
  { name: "平原县, 德州市", n: -2 },
  { name: "@SUM(A1)", n: 3 },
];

describe("export/table", () => {
  it("CSV: a byte-order mark, CRLF lines, headers in the asked language, text formulas defused (numbers left alone), commas quoted", () => {
    const csv = toCsv(COLS, ROWS, "zh");
    expect(csv.startsWith("\uFEFF名称,数量\r\n")).toBe(true);
    expect(csv.slice(1).split("\r\n")).toEqual([
      "名称,数量",
      `"'=HYPERLINK(""http://evil"")",1`,
      `"平原县, 德州市",-2`,
      "'@SUM(A1),3",
      "",
    ]);
    expect(toCsv(COLS, [], "en")).toBe("\uFEFFName,Count\r\n");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
  });

  it("XLSX: one sheet, a bold header, strings stay strings (never a formula), numbers stay numbers", async () => {
    const buf = await toXlsx("台账", COLS, ROWS, "en");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(buf).buffer);
    const ws = wb.worksheets[0];
    expect(wb.worksheets).toHaveLength(1);
    expect(ws?.name).toBe("台账");
    expect(ws?.getRow(1).values).toEqual([undefined, "Name", "Count"]);
    expect(ws?.getRow(1).font?.bold).toBe(true);
    expect(ws?.getRow(2).getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(ws?.getRow(2).getCell(1).value).toBe(ROWS[0]?.name);
    expect(ws?.getRow(3).getCell(2).value).toBe(-2);
    expect(ws?.rowCount).toBe(4);
  });
});
