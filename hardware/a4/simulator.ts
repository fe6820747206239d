/**
 * A simulated IPP A4 printer: a real HTTP server on a loopback port that answers
 * Get-Printer-Attributes, Print-Job and Get-Job-Attributes as an IPP Everywhere printer
 * does, keeps the documents it prints, and takes faults:
 * - `media_empty`, `media_low`, `toner_low`, `toner_empty`: printer-state-reasons as a printer
 *   reports them (the low ones are warnings: the printer still prints);
 * - `jam`: the next job stops mid-page (its first page out, then media-jam; the job is
 *   aborted and the printer stopped until `ok`);
 * - `offline`: the printer stops answering (connections are refused);
 * - `ok`: everything cleared.
 * The demo and the browser tests run on it; the driver is also tested on a real
 * ippeveprinter (test/hardware/a4/).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  GROUP,
  IPP_OP,
  JOB_STATE,
  PRINTER_STATE,
  TAG,
  a,
  attr,
  decodeIpp,
  encodeIpp,
  type IppAttribute,
  type IppMessage,
} from "./ipp.ts";

export type A4Fault = "media_empty" | "media_low" | "toner_low" | "toner_empty" | "jam" | "offline" | "ok";

export interface SimJob {
  id: number;
  name: string;
  state: number;
  reasons: string[];
  /** The document as received. */
  document: Buffer;
  /** Pages that came out (a jam leaves it short of the document's pages). */
  pagesOut: number;
}

/** How many pages a PDF has, counted from its page objects (good enough for what we print). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

export class A4PrinterSimulator {
  private server: Server | undefined;
  private port = 0;
  private readonly faults = new Set<Exclude<A4Fault, "ok" | "offline" | "jam">>();
  private jamNext = false;
  private jammed = false;
  private offline = false;
  private nextJobId = 1;
  readonly jobs: SimJob[] = [];

  constructor(private readonly opts: { name?: string; processingMs?: number } = {}) {}

  /** ipp://127.0.0.1:PORT/ipp/print once started. */
  get uri(): string {
    return `ipp://127.0.0.1:${this.port}/ipp/print`;
  }

  /** Documents of the jobs that completed. */
  get printed(): Buffer[] {
    return this.jobs.filter((j) => j.state === JOB_STATE.completed).map((j) => j.document);
  }

  async start(): Promise<void> {
    if (this.server) return;
    await this.listen();
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  inject(f: A4Fault): void {
    switch (f) {
      case "ok":
        this.faults.clear();
        this.jamNext = false;
        this.jammed = false;
        if (this.offline) {
          this.offline = false;
          this.listen().catch(() => {});
        }
        return;
      case "jam":
        this.jamNext = true;
        return;
      case "offline":
        this.offline = true;
        this.close().catch(() => {});
        return;
      default:
        this.faults.add(f);
    }
  }

  private reasons(): string[] {
    const r: string[] = [];
    if (this.faults.has("media_empty")) r.push("media-empty-error");
    if (this.faults.has("toner_empty")) r.push("toner-empty-error");
    else if (this.faults.has("toner_low")) r.push("toner-low-warning");
    if (this.faults.has("media_low") && !this.faults.has("media_empty")) r.push("media-low-report");
    if (this.jammed) r.push("media-jam-error");
    return r;
  }

  private state(): number {
    if (this.jammed || this.faults.has("media_empty") || this.faults.has("toner_empty")) return PRINTER_STATE.stopped;
    return this.jobs.some((j) => j.state === JOB_STATE.processing) ? PRINTER_STATE.processing : PRINTER_STATE.idle;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let reply: IppMessage;
        try {
          reply = this.handle(decodeIpp(Buffer.concat(chunks)));
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/ipp" }).end(encodeIpp(reply));
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private handle(m: IppMessage): IppMessage {
    const head = (status: number, ...groups: { tag: number; attributes: IppAttribute[] }[]): IppMessage => ({
      code: status,
      requestId: m.requestId,
      groups: [
        {
          tag: GROUP.operation,
          attributes: [a.charset("attributes-charset", "utf-8"), a.lang("attributes-natural-language", "en")],
        },
        ...groups,
      ],
    });
    switch (m.code) {
      case IPP_OP.getPrinterAttributes: {
        const reasons = this.reasons();
        return head(0, {
          tag: GROUP.printer,
          attributes: [
            a.uri("printer-uri-supported", this.uri),
            a.name("printer-name", this.opts.name ?? "OneVisit A4 (simulated)"),
            a.enum("printer-state", this.state()),
            a.keyword("printer-state-reasons", ...(reasons.length ? reasons : ["none"])),
            a.text("printer-state-message", this.jammed ? "Paper jam" : "Ready"),
            { name: "document-format-supported", tag: TAG.mimeMediaType, values: ["application/pdf"] },
            a.keyword("media-ready", "iso_a4_210x297mm"),
            a.bool("printer-is-accepting-jobs", true),
          ],
        });
      }
      case IPP_OP.printJob: {
        if (this.state() === PRINTER_STATE.stopped) return head(0x0506);
        const format = attr(m, "document-format", GROUP.operation)?.values[0];
        if (format !== undefined && format !== "application/pdf") return head(0x040a);
        const doc = m.data ?? Buffer.alloc(0);
        const job: SimJob = {
          id: this.nextJobId++,
          name: String(attr(m, "job-name", GROUP.operation)?.values[0] ?? ""),
          state: JOB_STATE.processing,
          reasons: ["job-printing"],
          document: doc,
          pagesOut: 0,
        };
        this.jobs.push(job);
        const jam = this.jamNext;
        this.jamNext = false;
        setTimeout(() => {
          if (jam) {
            // Mid-page: the first page is out, the rest is stuck in the printer.
            job.pagesOut = Math.min(1, pdfPageCount(doc));
            job.state = JOB_STATE.aborted;
            job.reasons = ["aborted-by-system", "media-jam"];
            this.jammed = true;
          } else {
            job.pagesOut = pdfPageCount(doc);
            job.state = JOB_STATE.completed;
            job.reasons = ["job-completed-successfully"];
          }
        }, this.opts.processingMs ?? 50);
        return head(0, {
          tag: GROUP.job,
          attributes: [
            a.int("job-id", job.id),
            a.uri("job-uri", `${this.uri}/${job.id}`),
            a.enum("job-state", job.state),
            a.keyword("job-state-reasons", ...job.reasons),
          ],
        });
      }
      case IPP_OP.getJobAttributes: {
        const id = attr(m, "job-id", GROUP.operation)?.values[0];
        const job = this.jobs.find((j) => j.id === id);
        if (!job) return head(0x0406);
        return head(0, {
          tag: GROUP.job,
          attributes: [a.int("job-id", job.id), a.enum("job-state", job.state), a.keyword("job-state-reasons", ...job.reasons)],
        });
      }
      default:
        return head(0x0501);
    }
  }
}
