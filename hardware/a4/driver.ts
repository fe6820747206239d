/**
 * An A4 office printer, driven over IPP (HTTP POST of application/ipp to the printer's
 * URI: directly, or through CUPS, which speaks the same) or, where a printer has no IPP,
 * over the raw TCP port 9100 (the document is simply streamed; no job state comes back).
 *
 * Health is polled with Get-Printer-Attributes (printer-state, printer-state-reasons) and
 * reported as the hub's few health words; a print is done only when the printer says the
 * job is `completed` (a jam mid-page aborts the job, and the caller may retry).
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import type { Health, HealthReport } from "../types.ts";
import {
  GROUP,
  IPP_OP,
  JOB_STATE,
  PRINTER_STATE,
  a,
  attr,
  decodeIpp,
  encodeIpp,
  type IppMessage,
  isSuccess,
  operationGroup,
} from "./ipp.ts";

/** Why a print failed; safe to show to clients. */
export type A4ErrorCode = "OFFLINE" | "PAPER_OUT" | "JAM" | "TONER_EMPTY" | "COVER_OPEN" | "REFUSED" | "TIMEOUT" | "ERROR";

export class A4Error extends Error {
  constructor(
    readonly code: A4ErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = "A4Error";
  }
}

/** One document to print. */
export interface A4Job {
  /** Our id (idempotence is the caller's; this names the job on the printer). */
  jobId: string;
  /** job-name on the printer's queue (no personal data: it shows on the printer's panel). */
  name: string;
  pdf: Buffer;
}

/** What one probe of the printer said. */
export interface A4Health extends HealthReport {
  /** printer-state as a word (absent when the printer did not answer). */
  state?: "idle" | "processing" | "stopped";
  /** printer-state-reasons keywords, as the printer sent them ("none" dropped). */
  reasons: string[];
  /** printer-state-message, if any. */
  message?: string;
}

export interface A4PrinterOptions {
  id: string;
  /** `ipp`: Print-Job to `uri`; `raw`: stream the PDF to host:port (9100). */
  protocol: "ipp" | "raw";
  /** ipp://host:631/ipp/print or http://…; ipp:// is sent as http:// (RFC 8010 §3.1). */
  uri?: string;
  host?: string;
  port?: number;
  /** Health poll period (default 10 s); 0 polls never (tests call probe()). */
  pollMs?: number;
  /** One HTTP request or TCP connection gives up after this long (default 5 s). */
  requestTimeoutMs?: number;
  /** A job not finished after this long is a TIMEOUT (default 120 s). */
  jobTimeoutMs?: number;
  /** Job-state poll period while printing (default 250 ms). */
  jobPollMs?: number;
}

const SUFFIX = /-(report|warning|error)$/;

/** printer-state-reasons keywords (RFC 8011 §5.4.12, PWG 5100.9) that warn of a supply running low. */
const WARNINGS: readonly [string, readonly string[]][] = [
  ["MEDIA_LOW", ["media-low"]],
  ["TONER_LOW", ["toner-low", "marker-supply-low", "developer-low", "marker-waste-almost-full"]],
];

/** The low-supply warnings in a printer's reasons (suffixes ignored), sorted. */
export function warningsOf(reasons: readonly string[]): string[] {
  const r = new Set(reasons.map((x) => x.replace(SUFFIX, "")));
  return WARNINGS.filter(([, keys]) => keys.some((k) => r.has(k)))
    .map(([w]) => w)
    .sort();
}

/**
 * The hub's health for a printer-state and its reasons (suffixes -report/-warning/-error
 * ignored), with the low-supply warnings whatever the health (toner low and out of paper at
 * once both need a hand).
 */
export function healthOf(state: number | undefined, reasons: readonly string[]): HealthReport {
  const warnings = warningsOf(reasons);
  const h = healthWithoutWarnings(state, reasons);
  return warnings.length ? { ...h, warnings } : h;
}

function healthWithoutWarnings(state: number | undefined, reasons: readonly string[]): HealthReport {
  const r = new Set(reasons.map((x) => x.replace(SUFFIX, "")));
  const has = (...k: string[]) => k.some((x) => r.has(x));
  if (has("offline", "shutdown", "connecting-to-device")) return { health: "offline", detail: "OFFLINE" };
  if (has("media-empty", "media-needed")) return { health: "paper_out", detail: "MEDIA_EMPTY" };
  if (has("media-jam")) return { health: "error", detail: "MEDIA_JAM" };
  if (has("toner-empty", "marker-supply-empty")) return { health: "error", detail: "TONER_EMPTY" };
  if (has("door-open", "cover-open")) return { health: "error", detail: "COVER_OPEN" };
  if (state === PRINTER_STATE.stopped) return { health: "error", detail: "STOPPED" };
  // Still printing: the detail says the most pressing warning (older readers of `detail`).
  if (has("toner-low", "marker-supply-low")) return { health: "online", detail: "TONER_LOW" };
  if (has("media-low")) return { health: "online", detail: "MEDIA_LOW" };
  return { health: "online" };
}

/** The print error a printer's unhealthy state stands for. */
function errorFor(h: HealthReport): A4Error {
  switch (h.detail) {
    case "MEDIA_EMPTY":
      return new A4Error("PAPER_OUT", "the printer is out of paper");
    case "MEDIA_JAM":
      return new A4Error("JAM", "paper jam");
    case "TONER_EMPTY":
      return new A4Error("TONER_EMPTY", "out of toner");
    case "COVER_OPEN":
      return new A4Error("COVER_OPEN", "a cover is open");
    case "OFFLINE":
      return new A4Error("OFFLINE", "the printer is offline");
    default:
      return new A4Error("ERROR", h.detail ?? "printer error");
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class A4Printer extends EventEmitter<{ status: [A4Health] }> {
  private timer: NodeJS.Timeout | undefined;
  private last: A4Health | undefined;
  private requestId = 1;
  private readonly httpUrl: string | undefined;
  private readonly printerUri: string | undefined;

  constructor(private readonly o: A4PrinterOptions) {
    super();
    if (o.protocol === "ipp") {
      if (!o.uri) throw new Error("an IPP printer needs a uri");
      // The URL API cannot switch a URL from ipp: (not special) to http: (special): rebuild it.
      const m = /^(ipps?|https?):\/\/([^/]+)(\/.*)?$/.exec(o.uri);
      if (!m) throw new Error(`not an IPP uri: ${o.uri}`);
      const [, scheme, authority, path = "/ipp/print"] = m;
      const secure = scheme === "ipps" || scheme === "https";
      const hostPort = /:\d+$/.test(authority as string) ? authority : `${authority}:${secure ? 443 : 631}`;
      this.printerUri = `${secure ? "ipps" : "ipp"}://${hostPort}${path}`;
      this.httpUrl = `${secure ? "https" : "http"}://${hostPort}${path}`;
    } else if (!o.host || !o.port) throw new Error("a raw printer needs host and port");
  }

  /** The last health reported (undefined before the first probe). */
  get status(): A4Health | undefined {
    return this.last;
  }

  /** Probe once now, then every pollMs. */
  async start(): Promise<void> {
    await this.probe();
    const every = this.o.pollMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.probe().catch(() => {});
      }, every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ask the printer how it is; reports (and returns) the result. Never rejects. */
  async probe(): Promise<A4Health> {
    let h: A4Health;
    if (this.o.protocol === "raw") {
      h = (await this.tcpReachable()) ? { health: "online", reasons: [] } : { health: "offline", detail: "OFFLINE", reasons: [] };
    } else {
      try {
        const r = await this.ipp({
          code: IPP_OP.getPrinterAttributes,
          requestId: 0,
          groups: [
            operationGroup(
              this.printerUri as string,
              a.keyword("requested-attributes", "printer-state", "printer-state-reasons", "printer-state-message"),
            ),
          ],
        });
        const state = attr(r, "printer-state", GROUP.printer)?.values[0];
        const reasons = (attr(r, "printer-state-reasons", GROUP.printer)?.values ?? []).map(String).filter((x) => x !== "none");
        const message = attr(r, "printer-state-message", GROUP.printer)?.values[0];
        const st = typeof state === "number" ? state : undefined;
        h = {
          ...healthOf(st, reasons),
          reasons,
          ...(st === PRINTER_STATE.idle
            ? { state: "idle" as const }
            : st === PRINTER_STATE.processing
              ? { state: "processing" as const }
              : st === PRINTER_STATE.stopped
                ? { state: "stopped" as const }
                : {}),
          ...(typeof message === "string" && message ? { message } : {}),
        };
      } catch {
        h = { health: "offline", detail: "OFFLINE", reasons: [] };
      }
    }
    this.last = h;
    this.emit("status", h);
    return h;
  }

  /**
   * Print one PDF. Resolves when the printer reports the job completed (IPP) or has taken
   * every byte (raw). Rejects with A4Error: OFFLINE / PAPER_OUT / JAM … before sending when
   * the printer is not ready, JAM or ERROR when the job is aborted, TIMEOUT when it never ends.
   */
  async print(job: A4Job): Promise<{ printerJobId?: number }> {
    if (this.o.protocol === "raw") {
      await this.rawSend(job.pdf);
      return {};
    }
    const before = await this.probe();
    if (before.health !== "online") throw errorFor(before);
    let r: IppMessage;
    try {
      r = await this.ipp({
        code: IPP_OP.printJob,
        requestId: 0,
        groups: [
          operationGroup(
            this.printerUri as string,
            a.name("requesting-user-name", "onevisit"),
            a.name("job-name", job.name),
            a.mime("document-format", "application/pdf"),
          ),
          { tag: GROUP.job, attributes: [a.keyword("media", "iso_a4_210x297mm"), a.int("copies", 1)] },
        ],
        data: job.pdf,
      });
    } catch {
      throw new A4Error("OFFLINE", "the printer did not answer");
    }
    if (!isSuccess(r.code)) {
      // 0x0506 not accepting jobs, 0x0507 document format, 0x040A document format not supported…
      throw new A4Error(r.code === 0x0506 ? "OFFLINE" : "REFUSED", `printer refused the job (0x${r.code.toString(16)})`);
    }
    const id = attr(r, "job-id", GROUP.job)?.values[0];
    if (typeof id !== "number") throw new A4Error("ERROR", "no job-id in the answer");
    await this.waitForJob(id);
    return { printerJobId: id };
  }

  private async waitForJob(jobId: number): Promise<void> {
    const deadline = Date.now() + (this.o.jobTimeoutMs ?? 120_000);
    let misses = 0;
    for (;;) {
      let r: IppMessage | undefined;
      try {
        r = await this.ipp({
          code: IPP_OP.getJobAttributes,
          requestId: 0,
          groups: [
            operationGroup(
              this.printerUri as string,
              a.int("job-id", jobId),
              a.keyword("requested-attributes", "job-state", "job-state-reasons"),
            ),
          ],
        });
        misses = 0;
      } catch {
        // The printer went away while printing: the job is not done; a few misses are a blip.
        if (++misses >= 3) throw new A4Error("OFFLINE", "the printer went offline while printing");
      }
      if (r && isSuccess(r.code)) {
        const state = attr(r, "job-state", GROUP.job)?.values[0];
        const reasons = (attr(r, "job-state-reasons", GROUP.job)?.values ?? []).map(String);
        if (state === JOB_STATE.completed) return;
        if (state === JOB_STATE.aborted || state === JOB_STATE.canceled) {
          const printer = await this.probe();
          if (reasons.some((x) => x.startsWith("media-jam")) || printer.detail === "MEDIA_JAM")
            throw new A4Error("JAM", "paper jam: the job was aborted");
          if (printer.health !== "online") throw errorFor(printer);
          throw new A4Error("ERROR", `the job was ${state === JOB_STATE.aborted ? "aborted" : "canceled"}`);
        }
      } else if (r) throw new A4Error("ERROR", `job state unavailable (0x${r.code.toString(16)})`);
      if (Date.now() > deadline) throw new A4Error("TIMEOUT", "the job did not finish in time");
      await sleep(this.o.jobPollMs ?? 250);
    }
  }

  /** One IPP request/response over HTTP. Rejects on network errors and non-IPP answers. */
  private async ipp(m: IppMessage): Promise<IppMessage> {
    const body = encodeIpp({ ...m, requestId: this.requestId++ });
    const res = await fetch(this.httpUrl as string, {
      method: "POST",
      headers: { "content-type": "application/ipp" },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new A4Error("ERROR", `HTTP ${res.status}`);
    return decodeIpp(bytes);
  }

  private tcpReachable(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect({ host: this.o.host as string, port: this.o.port as number });
      const done = (ok: boolean) => {
        s.destroy();
        resolve(ok);
      };
      s.setTimeout(this.o.requestTimeoutMs ?? 5000, () => done(false));
      s.once("connect", () => done(true));
      s.once("error", () => done(false));
    });
  }

  /** Stream the document to port 9100 and wait until the printer has every byte (socket closed cleanly). */
  private rawSend(pdf: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      let connected = false;
      const s = net.connect({ host: this.o.host as string, port: this.o.port as number }, () => {
        connected = true;
        s.end(pdf);
      });
      s.setTimeout(this.o.jobTimeoutMs ?? 120_000, () => {
        s.destroy();
        reject(new A4Error("TIMEOUT", "the printer did not take the document in time"));
      });
      s.once("error", () =>
        reject(new A4Error("OFFLINE", connected ? "connection lost while printing" : "cannot reach the printer")),
      );
      s.once("close", (hadError) => {
        if (!hadError) resolve();
      });
      s.resume();
    });
  }
}

export type { Health };
