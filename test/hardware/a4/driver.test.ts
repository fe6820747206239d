/**
 * The A4 driver on a real IPP printer nobody here wrote (CUPS's ippeveprinter), on the
 * simulator with its faults, and over raw TCP 9100.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A4Error, A4Printer, healthOf, warningsOf } from "../../../hardware/a4/driver.ts";
import { A4PrinterSimulator } from "../../../hardware/a4/simulator.ts";
import { PdfMaker } from "../../../server/src/terminals/pdf.ts";
import { type IppEvePrinter, pdfText, readDoc, startIppEvePrinter } from "../../helpers/ippeveprinter.ts";

const pdf = new PdfMaker();
const guide = (name: string) =>
  pdf.guide({
    hallName: "平原县政务服务中心",
    matterName: name,
    matterNameEn: "Test matter",
    departmentName: "县市场监督管理局",
    materials: ["营业执照申请书", "身份证明"],
    legalDays: 20,
    promisedDays: 5,
    feeYuan: 0,
    where: "二楼 B 区",
    printedAt: "2026-12-03 10:00",
  });

describe("hardware/a4 driver on a real ippeveprinter", () => {
  let printer: IppEvePrinter;
  beforeAll(async () => {
    printer = await startIppEvePrinter();
  }, 30_000);
  afterAll(async () => {
    await printer?.stop();
  });

  it("reads printer-state and reasons: an idle printer is online", async () => {
    const p = new A4Printer({ id: "a4", protocol: "ipp", uri: printer.uri, pollMs: 0 });
    const h = await p.probe();
    expect(h.health).toBe("online");
    expect(h.state).toMatch(/idle|processing/);
  });

  it("prints a PDF: the printer keeps exactly our document, Chinese text intact", async () => {
    const p = new A4Printer({ id: "a4", protocol: "ipp", uri: printer.uri, pollMs: 0, jobPollMs: 200 });
    const doc = await guide("食品经营许可");
    const r = await p.print({ jobId: "j1", name: "guide", pdf: doc });
    expect(r.printerJobId).toBeGreaterThan(0);
    const files = printer.documents();
    expect(files).toHaveLength(1);
    expect(readDoc(files[0] as string).equals(doc)).toBe(true);
    const text = pdfText(files[0] as string);
    expect(text).toContain("办事指南：食品经营许可");
    expect(text).toContain("营业执照申请书");
  }, 60_000);
});

describe("hardware/a4 driver on the simulator", () => {
  const sim = new A4PrinterSimulator({ processingMs: 30 });
  let p: A4Printer;
  beforeAll(async () => {
    await sim.start();
    p = new A4Printer({ id: "a4", protocol: "ipp", uri: sim.uri, pollMs: 0, jobPollMs: 20 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("prints and keeps the document", async () => {
    const doc = await guide("户籍证明");
    await p.print({ jobId: "s1", name: "g", pdf: doc });
    expect(pdfText(sim.printed.at(-1) as Buffer)).toContain("户籍证明");
  });

  it("reports toner low as a warning (still online) and paper out as paper_out, and refuses to print then", async () => {
    sim.inject("toner_low");
    expect(await p.probe()).toMatchObject({ health: "online", detail: "TONER_LOW" });
    sim.inject("media_empty");
    expect(await p.probe()).toMatchObject({ health: "paper_out", detail: "MEDIA_EMPTY", state: "stopped" });
    const before = sim.jobs.length;
    await expect(p.print({ jobId: "s2", name: "g", pdf: await guide("x") })).rejects.toMatchObject({ code: "PAPER_OUT" });
    expect(sim.jobs.length).toBe(before);
    sim.inject("ok");
    expect((await p.probe()).health).toBe("online");
  });

  it("reads toner low and paper low from printer-state-reasons as warnings, and still prints", async () => {
    sim.inject("toner_low");
    sim.inject("media_low");
    const h = await p.probe();
    expect(h).toMatchObject({ health: "online", warnings: ["MEDIA_LOW", "TONER_LOW"] });
    expect(h.reasons.sort()).toEqual(["media-low-report", "toner-low-warning"]);
    const before = sim.printed.length;
    await p.print({ jobId: "w1", name: "g", pdf: await guide("低耗材") });
    expect(sim.printed.length).toBe(before + 1);
    sim.inject("ok");
    expect((await p.probe()).warnings).toBeUndefined();
  });

  it("a jam mid-page aborts the job: the print is not done, and it can be retried once cleared", async () => {
    sim.inject("jam");
    const doc = await guide("不动产登记");
    const err = await p.print({ jobId: "s3", name: "g", pdf: doc }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(A4Error);
    expect((err as A4Error).code).toBe("JAM");
    expect(sim.jobs.at(-1)?.state).toBe(8);
    expect(await p.probe()).toMatchObject({ health: "error", detail: "MEDIA_JAM" });
    await expect(p.print({ jobId: "s3", name: "g", pdf: doc })).rejects.toMatchObject({ code: "JAM" });
    sim.inject("ok");
    await p.print({ jobId: "s3", name: "g", pdf: doc });
    expect(sim.jobs.at(-1)?.state).toBe(9);
  });

  it("offline: the probe says so and a print is refused with OFFLINE", async () => {
    sim.inject("offline");
    await new Promise((r) => setTimeout(r, 50));
    expect((await p.probe()).health).toBe("offline");
    await expect(p.print({ jobId: "s4", name: "g", pdf: await guide("y") })).rejects.toMatchObject({ code: "OFFLINE" });
    sim.inject("ok");
    await new Promise((r) => setTimeout(r, 50));
    expect((await p.probe()).health).toBe("online");
  });
});

describe("hardware/a4 driver over raw TCP 9100", () => {
  it("streams the document and is done when the printer has every byte", async () => {
    const got: Buffer[] = [];
    const server = net.createServer((s) => {
      s.on("data", (c: Buffer) => got.push(c));
      s.on("end", () => s.end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const p = new A4Printer({ id: "raw", protocol: "raw", host: "127.0.0.1", port, pollMs: 0 });
    expect((await p.probe()).health).toBe("online");
    const doc = await guide("社会保障卡");
    await p.print({ jobId: "r1", name: "g", pdf: doc });
    expect(Buffer.concat(got).equals(doc)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect((await p.probe()).health).toBe("offline");
    await expect(p.print({ jobId: "r2", name: "g", pdf: doc })).rejects.toMatchObject({ code: "OFFLINE" });
  });
});

describe("hardware/a4 healthOf", () => {
  it("reads low supplies as warnings, whatever else is wrong", () => {
    expect(warningsOf(["media-low-report"])).toEqual(["MEDIA_LOW"]);
    expect(warningsOf(["marker-supply-low-warning", "media-low"])).toEqual(["MEDIA_LOW", "TONER_LOW"]);
    expect(warningsOf(["none", "media-empty-error", "toner-empty-error"])).toEqual([]);
    expect(healthOf(3, ["media-low-report"])).toEqual({ health: "online", detail: "MEDIA_LOW", warnings: ["MEDIA_LOW"] });
    expect(healthOf(3, ["toner-low-warning", "media-low-report"])).toEqual({
      health: "online",
      detail: "TONER_LOW",
      warnings: ["MEDIA_LOW", "TONER_LOW"],
    });
    // Out of paper and low on toner: both need a hand; the fault leads.
    expect(healthOf(5, ["media-empty-error", "toner-low-report"])).toEqual({
      health: "paper_out",
      detail: "MEDIA_EMPTY",
      warnings: ["TONER_LOW"],
    });
  });

  it("maps printer-state-reasons with their suffixes", () => {
    expect(healthOf(3, [])).toEqual({ health: "online" });
    expect(healthOf(5, ["media-empty-error"])).toEqual({ health: "paper_out", detail: "MEDIA_EMPTY" });
    expect(healthOf(5, ["media-jam-error"])).toEqual({ health: "error", detail: "MEDIA_JAM" });
    expect(healthOf(3, ["toner-low-report"])).toEqual({ health: "online", detail: "TONER_LOW", warnings: ["TONER_LOW"] });
    expect(healthOf(3, ["offline-report"])).toEqual({ health: "offline", detail: "OFFLINE" });
    expect(healthOf(5, [])).toEqual({ health: "error", detail: "STOPPED" });
  });
});
