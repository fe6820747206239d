import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeviceStatus } from "../../../server/src/contract/devices.ts";
import { EscPosPrinter } from "../../../hardware/printer/driver.ts";
import { type TicketPrintJob, encodeTicket } from "../../../hardware/printer/protocol.ts";
import { PrinterSimulator } from "../../../hardware/printer/simulator.ts";
import type { ByteLink } from "../../../hardware/transport/link.ts";

/** Both ends of one cable, whatever carries it. */
export interface PrinterRig {
  /** The hub's end, handed to the driver. */
  host: ByteLink;
  /** The printer's end, handed to the simulator. */
  device: ByteLink;
  unplug(): Promise<void> | void;
  replug(): Promise<void> | void;
  dispose(): Promise<void>;
}

export function ticketJob(n: number, extra: Partial<TicketPrintJob> = {}): TicketPrintJob {
  const number = `A${String(n).padStart(3, "0")}`;
  return {
    jobId: `job-${n}`,
    hallName: "平原县市民服务中心",
    number,
    matterName: "不动产登记（䶮）",
    zoneName: "不动产登记区",
    floor: "1楼",
    ahead: n,
    estimatedWaitMin: n * 3,
    issuedAtText: "2025-03-01 09:30",
    qrUrl: `https://hall.example.cn/q/${number}?名=䶮`,
    materials: ["身份证", "不动产权证书"],
    lang: "zh",
    ...extra,
  };
}

/** Wait until `cond()` holds, checking every 10 ms, failing after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The ticket printer behaviour every cable must give: run with the simulator over a
 * memory pair, over socat ptys and over serialport's MockBinding.
 */
export function describePrinterOverLink(name: string, makeRig: () => Promise<PrinterRig>): void {
  describe(`hardware/printer EscPosPrinter over ${name}`, () => {
    let rig: PrinterRig;
    let sim: PrinterSimulator;
    let printer: EscPosPrinter;
    let statuses: DeviceStatus[];

    beforeEach(async () => {
      rig = await makeRig();
      sim = new PrinterSimulator({
        link: rig.device,
        plug: { unplug: () => void rig.unplug(), replug: () => void rig.replug() },
      });
      await sim.start();
      printer = new EscPosPrinter({ id: "printer-1", link: rig.host, width: 80, pollIntervalMs: 200, statusTimeoutMs: 300 });
      statuses = [];
      printer.on("status", (s) => statuses.push(s));
      await printer.start();
      await waitFor(() => printer.status.health === "online", 3000, "printer online");
    });

    afterEach(async () => {
      await printer.close();
      await sim.close();
      await rig.dispose();
    });

    it("prints a ticket the printer decodes back: number, Chinese, QR payload", async () => {
      const job = ticketJob(23);
      await printer.print(job);
      await waitFor(() => sim.tickets.length === 1, 3000, "ticket");
      const ticket = sim.tickets[0];
      expect(ticket?.lines).toContain("A023");
      expect(ticket?.lines.join("")).toContain("不动产登记（䶮）");
      expect(ticket?.qr).toEqual([job.qrUrl]);
      expect(printer.status.health).toBe("online");
    });

    it("rejects with PAPER_OUT and reports paper_out, then prints when paper is back", async () => {
      sim.paperOut(true);
      await expect(printer.print(ticketJob(1))).rejects.toMatchObject({ code: "PAPER_OUT" });
      expect(statuses.at(-1)).toMatchObject({ id: "printer-1", kind: "printer", health: "paper_out" });
      expect(sim.tickets).toHaveLength(0);
      expect(sim.lostTickets).toBe(0);

      sim.paperOut(false);
      await printer.print(ticketJob(1));
      await waitFor(() => sim.tickets.length === 1, 3000, "ticket after paper is back");
      expect(printer.status.health).toBe("online");
    });

    it("rejects with OFFLINE when unplugged, and prints again after replug", async () => {
      await rig.unplug();
      await waitFor(() => printer.status.health === "offline", 3000, "offline status");
      await expect(printer.print(ticketJob(2))).rejects.toMatchObject({ code: "OFFLINE" });

      const replugged = Date.now();
      await rig.replug();
      await waitFor(() => printer.status.health === "online", 3000, "online again");
      expect(Date.now() - replugged).toBeLessThan(2000);
      await printer.print(ticketJob(2));
      await waitFor(() => sim.tickets.length === 1, 3000, "ticket after replug");
      expect(sim.tickets[0]?.lines).toContain("A002");
    });

    it("never prints a retried job twice, whether retried after or during the first print", async () => {
      const job = ticketJob(7);
      await printer.print(job);
      await printer.print(job);
      await Promise.all([printer.print(ticketJob(8)), printer.print(ticketJob(8)), printer.print(ticketJob(8))]);
      await new Promise((r) => setTimeout(r, 100));
      expect(sim.tickets.map((t) => t.qr[0])).toEqual([ticketJob(7).qrUrl, ticketJob(8).qrUrl]);
    });

    it("does not interleave concurrent jobs: each ticket arrives whole, in order", async () => {
      const jobs = [1, 2, 3, 4, 5].map((n) => ticketJob(n, { materials: ["身份证".repeat(n)] }));
      await Promise.all(jobs.map((j) => printer.print(j)));
      await waitFor(() => sim.tickets.length === jobs.length, 5000, "all tickets");
      jobs.forEach((job, i) => {
        const ticket = sim.tickets[i];
        // A ticket's bytes are exactly the encoded job (its trailing ESC @ starts the next one).
        const encoded = encodeTicket(job, { width: 80 });
        const body = encoded.subarray(0, encoded.length - 2);
        expect(ticket?.bytes.subarray(ticket.bytes.length - body.length).equals(body)).toBe(true);
        expect(ticket?.qr).toEqual([job.qrUrl]);
      });
    });
  });
}
