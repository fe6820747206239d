/**
 * Shipping labels, checked two ways: the Code 128 command byte by byte, and whole labels
 * decoded by the third-party `npos` ESC/POS parser (never by our own code): every command
 * must parse, the text runs decode from GB18030 to both addresses, and the barcode's data
 * is the waybill number. The driver prints through the simulator, and refuses with
 * PAPER_OUT while the paper is out (the label is not lost: the hub keeps the waybill).
 */
import { afterEach, describe, expect, it } from "vitest";
import { LabelPrinter } from "../../../hardware/label/driver.ts";
import { type LabelJob, code128Data, encodeCode128, encodeLabel } from "../../../hardware/label/protocol.ts";
import { LabelSimulator } from "../../../hardware/label/simulator.ts";
import { createMemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { decodeEscPos, decodedLines } from "../printer/npos-decode.ts";
import { barcodes } from "./barcodes.ts";
import { waitFor } from "../printer/suite.ts";

const job: LabelJob = {
  waybillNo: "EA123456789CN",
  courierName: "中国邮政 EMS",
  recipient: {
    name: "王䶮",
    phoneMasked: "138****1234",
    province: "山东省",
    city: "德州市",
    county: "平原县",
    street: "龙门街道中心路12号院3号楼",
  },
  sender: { name: "平原县市民服务中心", phone: "12345", address: "山东省德州市平原县" },
  caseNo: "371426-20261203-00007",
  paid: false,
  printedAtText: "2026-12-03 10:15",
};

describe("hardware/label/protocol", () => {
  it("Code 128: GS h, GS w, GS H below, then GS k 73 n {B and the number", () => {
    expect(encodeCode128("EA1", { height: 100, module: 2 })).toEqual(
      Buffer.from([0x1d, 0x68, 100, 0x1d, 0x77, 2, 0x1d, 0x48, 0x02, 0x1d, 0x6b, 0x49, 5, 0x7b, 0x42, 0x45, 0x41, 0x31]),
    );
    expect(code128Data("a{b").toString("ascii")).toBe("{Ba{{b");
    expect(() => code128Data("运单")).toThrow(RangeError);
  });

  it("a whole label parses with npos: the barcode carries the waybill, the text both addresses", () => {
    const bytes = encodeLabel(job);
    const items = decodeEscPos(bytes);
    expect(barcodes(items)).toEqual(["EA123456789CN"]);
    const text = decodedLines(items).join("\n");
    expect(text).toContain("收件人：王䶮  138****1234");
    expect(text).toContain("山东省德州市平原县");
    expect(text).toContain("龙门街道中心路12号院3号楼");
    expect(text).toContain("寄件人：平原县市民服务中心  12345");
    expect(text).toContain("办件编号：371426-20261203-00007");
    expect(text).toContain("免费寄递");
    // Reset first, fed to the gap and cut last.
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
    expect(items.at(-1)).toMatchObject({ kind: "cmd", name: "GS V" });
  });

  it("a waybill with a brace and a long street still decodes to what was asked", () => {
    const long = { ...job, waybillNo: "SF{9}0001", recipient: { ...job.recipient, street: "长".repeat(70) } };
    const items = decodeEscPos(encodeLabel(long));
    expect(barcodes(items)).toEqual(["SF{9}0001"]);
    expect(decodedLines(items).join("")).toContain("长".repeat(70));
  });
});

describe("hardware/label driver on the simulator", () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const x of open.splice(0)) await x.close();
  });

  it("prints a label the simulator keeps; paper out refuses with PAPER_OUT and prints nothing; back, it prints once", async () => {
    const pair = createMemoryLinkPair();
    const sim = new LabelSimulator({ link: pair.device, plug: pair });
    await pair.device.open();
    const printer = new LabelPrinter({ id: "label-1", link: pair.host, pollIntervalMs: 0 });
    open.push(printer);
    await printer.start();
    expect(printer.status.health).toBe("online");
    await printer.printLabel("label-EA1", job);
    await waitFor(() => sim.labels.length === 1, 2000, "label");
    expect(barcodes(decodeEscPos(sim.labels[0] as Buffer))).toEqual(["EA123456789CN"]);

    sim.paperOut(true);
    const second = { ...job, waybillNo: "EA000000002CN" };
    await expect(printer.printLabel("label-EA2", second)).rejects.toMatchObject({ code: "PAPER_OUT" });
    expect(sim.labels).toHaveLength(1);
    expect(sim.lost).toBe(0);
    sim.paperOut(false);
    await printer.printLabel("label-EA2", second);
    await waitFor(() => sim.labels.length === 2, 2000, "second label");
    // The same job again (a retried click) prints nothing more.
    await printer.printLabel("label-EA2", second);
    await printer.refresh();
    expect(sim.labels.map((b) => barcodes(decodeEscPos(b))[0])).toEqual(["EA123456789CN", "EA000000002CN"]);
  });

  it("unplugged: OFFLINE, nothing printed", async () => {
    const pair = createMemoryLinkPair();
    const sim = new LabelSimulator({ link: pair.device, plug: pair });
    await pair.device.open();
    const printer = new LabelPrinter({ id: "label-2", link: pair.host, pollIntervalMs: 0 });
    open.push(printer);
    await printer.start();
    sim.unplug();
    await expect(printer.printLabel("label-x", job)).rejects.toMatchObject({ code: "OFFLINE" });
    expect(sim.labels).toHaveLength(0);
  });
});
