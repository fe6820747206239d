import { afterEach, describe, expect, it } from "vitest";
import type { DeviceStatus } from "../../../server/src/contract/devices.ts";
import { EscPosPrinter } from "../../../hardware/printer/driver.ts";
import { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import { createMemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { describePrinterOverLink, ticketJob, waitFor } from "./suite.ts";

describePrinterOverLink("a memory link pair", async () => {
  const pair = createMemoryLinkPair({ id: "printer-1" });
  return {
    host: pair.host,
    device: pair.device,
    unplug: () => pair.unplug(),
    replug: () => pair.replug(),
    dispose: async () => {},
  };
});

describe("hardware/printer EscPosPrinter faults (simulator)", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function setup(opts: { duplex?: boolean; pollIntervalMs?: number; rememberJobs?: number } = {}) {
    const pair = createMemoryLinkPair({ id: "p", duplex: opts.duplex ?? true });
    const sim = new PrinterSimulator({ link: pair.device, plug: pair });
    await sim.start();
    const printer = new EscPosPrinter({
      id: "p",
      link: pair.host,
      width: 58,
      statusTimeoutMs: 150,
      pollIntervalMs: opts.pollIntervalMs ?? 0,
      rememberJobs: opts.rememberJobs,
    });
    const statuses: DeviceStatus[] = [];
    printer.on("status", (s) => statuses.push(s));
    await printer.start();
    cleanup.push(async () => {
      await printer.close();
      await sim.close();
    });
    return { pair, sim, printer, statuses };
  }

  it("a pending job asks the printer before its ticket exists, and prints only once the ticket is given", async () => {
    const { sim, printer } = await setup();
    const asked = sim.statusQueries;
    let give: (job: ReturnType<typeof ticketJob> | null) => void = () => {};
    const done = printer.print({ jobId: "t-1", ready: new Promise((res) => (give = res)) });
    // The question goes out while the ticket is still being made (the hub waits for its disk).
    await waitFor(() => sim.statusQueries > asked, 2000, "status question");
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.tickets).toHaveLength(0);
    const job = ticketJob(7);
    give({ ...job, jobId: "t-1" });
    await done;
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
    expect(sim.tickets[0]?.lines.join("\n")).toContain(job.number);
  });

  it("a pending job that turns out to have nothing to print prints nothing, and the queue goes on", async () => {
    const { sim, printer } = await setup();
    await printer.print({ jobId: "refused", ready: Promise.resolve(null) });
    await printer.print(ticketJob(2));
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.tickets).toHaveLength(1);
  });

  it("a pending job on a printer out of paper fails without waiting to print", async () => {
    const { sim, printer } = await setup();
    sim.paperOut(true);
    await expect(printer.print({ jobId: "t-2", ready: Promise.resolve(ticketJob(3)) })).rejects.toMatchObject({
      code: "PAPER_OUT",
    });
    expect(sim.tickets).toHaveLength(0);
  });

  it("rejects with TIMEOUT and reports offline when the printer answers too slowly", async () => {
    const { sim, printer } = await setup();
    sim.slow(400);
    await expect(printer.print(ticketJob(1))).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(printer.status).toMatchObject({ health: "offline", detail: "TIMEOUT" });
    expect(sim.tickets).toHaveLength(0);
  });

  it("asks again after one garbled answer and prints", async () => {
    const { sim, printer } = await setup();
    sim.garbleNextResponse(1);
    await printer.print(ticketJob(1));
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
  });

  it("rejects with BAD_FRAME when the answer stays garbled", async () => {
    const { sim, printer } = await setup();
    // The paired question (2 answers), then the printer question alone, asked twice.
    sim.garbleNextResponse(4);
    await expect(printer.print(ticketJob(1))).rejects.toMatchObject({ code: "BAD_FRAME" });
    expect(printer.status.health).toBe("error");
  });

  it("rejects with COVER_OPEN when the cover is open", async () => {
    const { sim, printer } = await setup();
    sim.coverOpen(true);
    await expect(printer.print(ticketJob(1))).rejects.toMatchObject({ code: "COVER_OPEN" });
    expect(printer.status).toMatchObject({ health: "error", detail: "COVER_OPEN" });
  });

  it("keeps printing when paper is near its end, and says so in the status detail", async () => {
    const { sim, printer } = await setup();
    sim.paperNearEnd(true);
    await printer.print(ticketJob(1));
    expect(printer.status).toMatchObject({ health: "online", detail: "PAPER_NEAR_END" });
  });

  it("polls while idle and reports paper out without any print", async () => {
    const { sim, statuses } = await setup({ pollIntervalMs: 30 });
    sim.paperOut(true);
    await waitFor(() => statuses.some((s) => s.health === "paper_out"), 2000, "paper_out from polling");
    sim.paperOut(false);
    await waitFor(() => statuses.at(-1)?.health === "online", 2000, "online from polling");
  });

  it("stops polling on close", async () => {
    const { sim, printer } = await setup({ pollIntervalMs: 20 });
    await waitFor(() => sim.statusQueries > 0, 2000, "a poll");
    await printer.close();
    const asked = sim.statusQueries;
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.statusQueries).toBe(asked);
  });

  it("reports offline with the link's reason on unplug, before anything is printed", async () => {
    const { pair, printer, statuses } = await setup();
    pair.unplug();
    expect(statuses.at(-1)).toMatchObject({ health: "offline", detail: "UNPLUGGED" });
    expect(printer.status.health).toBe("offline");
  });

  it("prints on a one-way link without asking for status", async () => {
    const { sim, printer } = await setup({ duplex: false });
    await printer.print(ticketJob(1));
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
    expect(sim.statusQueries).toBe(0);
    expect(printer.status.health).toBe("online");
  });

  it("remembers only the most recent job ids", async () => {
    const { sim, printer } = await setup({ rememberJobs: 2 });
    await printer.print(ticketJob(1));
    await printer.print(ticketJob(2));
    await printer.print(ticketJob(3));
    await printer.print(ticketJob(3));
    await printer.print(ticketJob(1)); // forgotten by now: printed again
    await waitFor(() => sim.tickets.length === 4, 2000, "tickets");
    expect(sim.tickets.map((t) => t.lines.find((l) => /^A\d{3}$/.test(l)))).toEqual(["A001", "A002", "A003", "A001"]);
  });

  it("does not remember a failed job: the retry prints it", async () => {
    const { sim, printer } = await setup();
    sim.paperOut(true);
    await expect(printer.print(ticketJob(5))).rejects.toMatchObject({ code: "PAPER_OUT" });
    sim.paperOut(false);
    await printer.print(ticketJob(5));
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
  });

  it("simulator switched off without a plug: the driver times out", async () => {
    const pair = createMemoryLinkPair({ id: "q" });
    const sim = new PrinterSimulator({ link: pair.device });
    await sim.start();
    const printer = new EscPosPrinter({ id: "q", link: pair.host, width: 80, statusTimeoutMs: 100, pollIntervalMs: 0 });
    await printer.start();
    cleanup.push(async () => {
      await printer.close();
      await sim.close();
    });
    sim.unplug();
    await expect(printer.print(ticketJob(1))).rejects.toMatchObject({ code: "TIMEOUT" });
    sim.replug();
    await printer.print(ticketJob(1));
    await waitFor(() => sim.tickets.length === 1, 2000, "ticket");
  });
});
