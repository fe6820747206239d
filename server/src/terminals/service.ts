/**
 * The self-service terminal's application service: what its ID card reader and scanner
 * read (kept behind short-lived tokens, never the number itself), the visitor's cases,
 * the hall now, and printing on the terminal's A4 printer — a certificate once per case.
 *
 * Personal data: the ID number is hashed (the same salted HMAC the case store keeps) the
 * moment the reader hands it over; the page gets a token, the masked number and the
 * surname. Nothing here is logged with personal data.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { LocalDate } from "../contract/cases.ts";
import type { Catalogue, Matter } from "../contract/catalogue.ts";
import type {
  A4PrintResult,
  CertificatePrintReply,
  ClerkReprintReply,
  ReprintRecord,
  HallNow,
  TerminalCase,
  TerminalCaseList,
  TerminalInput,
} from "../contract/terminals.ts";
import type { HallService } from "../hall/service.ts";
import { localDay } from "../core/time.ts";
import { HallError } from "../hall/errors.ts";
import { isOverdue } from "../cases/engine.ts";
import type { CaseRecord } from "../cases/model.ts";
import { maskName, maskPhone } from "../cases/views.ts";
import type { PdfMaker } from "./pdf.ts";
import type { PrintStore } from "./store.ts";

/** An ID card reading, good at one terminal until it expires or the screen resets. */
interface Reading {
  terminalId: string;
  idHash: string;
  masked: string;
  exp: number;
}

/** A receipt scanned at one terminal. */
interface Scan {
  terminalId: string;
  caseNo: string;
  exp: number;
}

/** A reading is good this long (the page's idle reset after 60 s ends it sooner). */
export const READING_TTL_MS = 3 * 60_000;

/** A print claimed but never finished (the hub stopped mid-print) may be retried after this long. */
export const STALE_PRINT_MS = 10 * 60_000;

export interface A4PrintPort {
  /** Print on the terminal's A4 printer; never rejects (a failure is a result). */
  printA4(terminalId: string, job: { jobId: string; name: string; pdf: Buffer }): Promise<A4PrintResult>;
  /** Print on the A4 printer of a counter (a 统一出证 window's own); never rejects. */
  printA4AtCounter?(counterId: string, job: { jobId: string; name: string; pdf: Buffer }): Promise<A4PrintResult>;
}

/** The staff member asking for a clerk copy (from the route's token). */
export interface ReprintActor {
  id: string;
  name: string;
  role: string;
}

export interface TerminalServiceDeps {
  catalogue: () => Catalogue;
  /** The engine's state (the hall now); read only. */
  /** The hall's per-series outlook (HallService.queueOutlook): terminals read no engine state. */
  queueOutlook: HallService["queueOutlook"];
  store: PrintStore;
  pdf: PdfMaker;
  printer: A4PrintPort;
  idSalt: string;
  clock: () => number;
  /** Origin of the public progress page (the certificate's verification line). */
  publicUrl: () => string;
  /** Tell the terminal's screen (its socket room). */
  emit: (input: TerminalInput) => void;
  /**
   * A certificate printed here is handed over: record it as collected by the applicant at
   * this terminal (delivery/ does, so the progress page and the wall follow). Idempotent.
   */
  handedOver?: (caseNo: string, terminalId: string, at: number) => Promise<unknown>;
  /** Who holds a counter now (a clerk reprints at the window they hold). */
  counterHolder?: (counterId: string) => string | undefined;
  log: (line: string) => void;
  /** A payment code (付款码) scanned here: the payment service keeps it behind a token (issue 12, payments/). */
  payCode?: (terminalId: string, code: string) => string | undefined;
  /** The idle reset: the payment service forgets the codes scanned here. */
  endPaySession?: (terminalId: string) => void;
}

/** The receipt's QR: <publicUrl>/q/<caseNo>; a bare case number is accepted too. */
const RECEIPT = /(?:^|\/q\/)(\d{6}-\d{8}-\d{5,7})(?:[?#].*)?$/;

function printError(r: Extract<A4PrintResult, { status: "failed" }>): HallError {
  switch (r.error) {
    case "OFFLINE":
    case "TIMEOUT":
      return new HallError("PRINTER_OFFLINE", "the printer is offline; nothing was printed");
    case "PAPER_OUT":
      return new HallError("PRINTER_OUT_OF_PAPER", "the printer is out of paper; nothing was printed");
    case "JAM":
      return new HallError("PRINTER_JAMMED", "paper jam: the print did not finish and does not count");
    default:
      return new HallError("PRINTER_FAILED", `printing failed (${r.error})`);
  }
}

export class TerminalService {
  private readonly readings = new Map<string, Reading>();
  private readonly scans = new Map<string, Scan>();
  private readonly copying = new Set<string>();

  constructor(private readonly d: TerminalServiceDeps) {}

  private hashId(id: string): string {
    return createHmac("sha256", this.d.idSalt).update(id.toUpperCase()).digest("base64url");
  }

  private sweep(now: number): void {
    for (const [k, v] of this.readings) if (v.exp < now) this.readings.delete(k);
    for (const [k, v] of this.scans) if (v.exp < now) this.scans.delete(k);
  }

  /** The terminal's reader read a card: keep its hash behind a token and tell that terminal's screen. */
  idCard(terminalId: string, idNumber: string, name: string): void {
    const now = this.d.clock();
    this.sweep(now);
    // One reading per terminal: a new card replaces the previous visitor's.
    for (const [k, v] of this.readings) if (v.terminalId === terminalId) this.readings.delete(k);
    const idToken = randomBytes(16).toString("base64url");
    const id = idNumber.toUpperCase();
    const masked = id.length > 8 ? `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}` : "****";
    this.readings.set(idToken, { terminalId, idHash: this.hashId(id), masked, exp: now + READING_TTL_MS });
    this.d.emit({ terminalId, kind: "id_card", idToken, masked, name: maskName(name) });
  }

  /** The terminal's scanner read a code: a receipt's QR opens that case there. */
  scanned(terminalId: string, code: string): void {
    const m = RECEIPT.exec(code.trim());
    // A payment code never reaches the page: it gets a token for it.
    const payToken = m ? undefined : this.d.payCode?.(terminalId, code.trim());
    if (payToken) {
      this.d.emit({ terminalId, kind: "pay_code", payToken });
      return;
    }
    if (!m?.[1]) {
      this.d.emit({ terminalId, kind: "unknown_code" });
      return;
    }
    const now = this.d.clock();
    this.sweep(now);
    const scanToken = randomBytes(16).toString("base64url");
    this.scans.set(scanToken, { terminalId, caseNo: m[1], exp: now + READING_TTL_MS });
    this.d.emit({ terminalId, kind: "receipt", caseNo: m[1], scanToken });
  }

  /** The idle reset: forget what this terminal read (a token given, or all of its readings). */
  endSession(terminalId: string, idToken?: string): void {
    for (const [k, v] of this.readings) if (v.terminalId === terminalId && (!idToken || k === idToken)) this.readings.delete(k);
    for (const [k, v] of this.scans) if (v.terminalId === terminalId) this.scans.delete(k);
    this.d.endPaySession?.(terminalId);
  }

  private reading(terminalId: string, idToken: string): Reading {
    const r = this.readings.get(idToken);
    if (!r || r.terminalId !== terminalId || r.exp < this.d.clock())
      throw new HallError("ID_CARD_EXPIRED", "place the ID card on the reader again");
    return r;
  }

  private today(): LocalDate {
    return localDay(this.d.clock(), this.d.catalogue().hall.timeZone);
  }

  /** Where a ready result is collected: the certificate windows (统一出证). */
  private collectAt(cat: Catalogue): { zh: string; en: string } | undefined {
    const windows = cat.counters.filter((c) => c.kind === "certificate").sort((a, b) => a.number - b.number);
    const first = windows[0];
    if (!first) return undefined;
    const zone = cat.zones.find((z) => z.id === first.zoneId);
    const nums = windows.map((w) => w.number).join("、");
    return {
      zh: `${zone ? `${zone.floor} ${zone.name} ` : ""}统一出证窗口（${nums}号）`,
      en: `Certificate window${windows.length > 1 ? "s" : ""} ${windows.map((w) => w.number).join(", ")}${zone ? ` (${zone.floor} ${zone.nameEn})` : ""}`,
    };
  }

  /** Record the hand-over of a printed certificate; a failure is logged and healed at the next look. */
  private async handOver(caseNo: string, terminalId: string, at: number): Promise<void> {
    try {
      await this.d.handedOver?.(caseNo, terminalId, at);
    } catch (err) {
      this.d.log(
        `terminal ${terminalId}: recording a self-printed certificate as collected failed (${err instanceof HallError ? err.code : "error"})`,
      );
    }
  }

  private async selfPrintState(r: CaseRecord, matter: Matter | undefined): Promise<TerminalCase["selfPrint"]> {
    if (!matter?.selfPrint) return "not_allowed";
    const p = await this.d.store.printOf(r.caseNo);
    if (p?.state === "printed") {
      // Printed but still "ready" (the hub stopped between the two writes): record it now.
      if (r.status === "certificate_ready") await this.handOver(r.caseNo, p.terminalId, p.printedAt ?? p.startedAt);
      return "printed";
    }
    return r.status === "certificate_ready" ? "ready" : "not_ready";
  }

  private async view(r: CaseRecord): Promise<TerminalCase> {
    const cat = this.d.catalogue();
    const matter = cat.matters.find((m) => m.id === r.matterId);
    const dept = cat.departments.find((x) => x.id === r.departmentId);
    const lastCorrection = [...r.transitions].reverse().find((t) => t.action === "request_correction");
    const ready = r.status === "certificate_ready" || r.status === "approved";
    const collectAt = ready ? this.collectAt(cat) : undefined;
    return {
      caseNo: r.caseNo,
      matterId: r.matterId,
      matterName: r.matterName,
      matterNameEn: r.matterNameEn,
      departmentName: dept?.name ?? r.departmentId,
      departmentNameEn: dept?.nameEn ?? r.departmentId,
      status: r.status,
      acceptedOn: r.acceptedOn,
      ...(r.dueDate ? { dueDate: r.dueDate } : {}),
      overdue: isOverdue(r, this.today()),
      clockPaused: r.status === "correction",
      missing: r.materials
        .filter((m) => m.state !== "received" && m.receivedAt === undefined)
        .map((m) => ({
          name: m.name,
          ...(m.nameEn ? { nameEn: m.nameEn } : {}),
          ...(m.promisedDate ? { promisedDate: m.promisedDate } : {}),
        })),
      ...(r.status === "correction" && lastCorrection?.note ? { correctionNote: lastCorrection.note } : {}),
      ...(collectAt ? { collectAt } : {}),
      selfPrint: await this.selfPrintState(r, matter),
      applicant: {
        nameMasked: maskName(r.applicant.name),
        ...(r.applicant.idMasked ? { idMasked: r.applicant.idMasked } : {}),
        phoneMasked: maskPhone(r.applicant.phone),
      },
    };
  }

  /** The cases of the card just read here, newest first. */
  async casesOfCard(terminalId: string, idToken: string): Promise<TerminalCaseList> {
    const r = this.reading(terminalId, idToken);
    const rows = await this.d.store.casesOfIdHash(r.idHash);
    return { masked: r.masked, cases: await Promise.all(rows.map((x) => this.view(x))) };
  }

  /** A case whose receipt was scanned here. */
  async caseOfScan(terminalId: string, caseNo: string, scanToken: string): Promise<TerminalCase> {
    const s = this.scans.get(scanToken);
    if (!s || s.terminalId !== terminalId || s.caseNo !== caseNo || s.exp < this.d.clock())
      throw new HallError("UNKNOWN_CASE", "scan the receipt again");
    const r = await this.d.store.get(caseNo);
    if (!r) throw new HallError("UNKNOWN_CASE", "no such case");
    return this.view(r);
  }

  /** A case by number and the last four digits of the applicant's phone (the route limits tries). */
  async caseOfCheck(caseNo: string, check: string): Promise<TerminalCase> {
    const r = await this.d.store.get(caseNo);
    const phone4 = r?.applicant.phone.replace(/\D/g, "").slice(-4) ?? "";
    if (!r || phone4.length !== 4 || phone4 !== check) throw new HallError("UNKNOWN_CASE", "no such case");
    return this.view(r);
  }

  /** Waiting per series and what a newcomer would wait now. */
  hallNow(): HallNow {
    const cat = this.d.catalogue();
    const outlook = new Map(this.d.queueOutlook().map((o) => [o.queueId, o]));
    return {
      at: this.d.clock(),
      queues: cat.queues.map((q) => {
        const zone = cat.zones.find((z) => z.id === q.zoneId);
        const o = outlook.get(q.id);
        return {
          queueId: q.id,
          prefix: q.prefix,
          name: q.name,
          nameEn: q.nameEn,
          zoneName: zone ? `${zone.floor} ${zone.name}` : "",
          zoneNameEn: zone ? `${zone.floor} ${zone.nameEn}` : "",
          waiting: o?.waiting ?? 0,
          estimatedWaitMin: Math.ceil((o?.estimatedWaitSec ?? 0) / 60),
          openCounters: o?.openCounters ?? 0,
        };
      }),
    };
  }

  private printedAt(): string {
    const tz = this.d.catalogue().hall.timeZone;
    const f = new Intl.DateTimeFormat("sv-SE", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    return f.format(this.d.clock());
  }

  /**
   * Print the certificate of a case whose applicant's card was read here: once. The print
   * is claimed before the printer is called and counted only when the printer says the
   * job completed; a failed print (jam, paper, offline) releases the claim.
   */
  async printCertificate(terminalId: string, caseNo: string, idToken: string): Promise<CertificatePrintReply> {
    const who = this.reading(terminalId, idToken);
    const r = await this.d.store.get(caseNo);
    if (!r) throw new HallError("UNKNOWN_CASE", "no such case");
    if (!r.applicant.idHash || r.applicant.idHash !== who.idHash)
      throw new HallError("NOT_CASE_OWNER", "this ID card is not the applicant of the case");
    const cat = this.d.catalogue();
    const matter = cat.matters.find((m) => m.id === r.matterId);
    if (!matter?.selfPrint) throw new HallError("SELF_PRINT_NOT_ALLOWED", "collect this certificate at the window");
    const prior = await this.d.store.printOf(caseNo);
    if (prior?.state === "printed") throw new HallError("ALREADY_PRINTED", "printed once already; a clerk prints another copy");
    // Handed over another way already (at a window, in the post): say so, not "not ready".
    if (r.status === "collected") throw new HallError("CERTIFICATE_ALREADY_COLLECTED", "collected at a window already");
    if (r.status === "mailed" || r.status === "delivered") throw new HallError("ALREADY_MAILED", "in the post already");
    if (r.status !== "certificate_ready") throw new HallError("CERTIFICATE_NOT_READY", "the certificate is not ready yet");
    const now = this.d.clock();
    await this.d.store.claim(caseNo, terminalId, now, STALE_PRINT_MS);
    let result: A4PrintResult;
    try {
      const pdf = await this.certificatePdf(r, terminalId);
      // The job name shows on the printer's panel and queue: the case number only.
      result = await this.d.printer.printA4(terminalId, { jobId: `cert-${caseNo}`, name: `cert ${caseNo}`, pdf });
    } catch (err) {
      await this.d.store.release(caseNo);
      throw err;
    }
    if (result.status !== "printed") {
      await this.d.store.release(caseNo);
      if (result.status === "none") throw new HallError("NO_PRINTER", "this terminal has no A4 printer");
      this.d.log(`terminal ${terminalId}: certificate print failed (${result.error})`);
      throw printError(result);
    }
    const at = this.d.clock();
    await this.d.store.printed(caseNo, at);
    // The print is the hand-over: the case moves on to collected (by the applicant, here).
    await this.handOver(caseNo, terminalId, at);
    return { caseNo, print: result };
  }

  /** The certificate's PDF: the self-print (no `copy`), or a clerk's later copy. */
  private certificatePdf(r: CaseRecord, terminalId: string, copy?: { n: number; where: string; staffName: string }) {
    const cat = this.d.catalogue();
    const dept = cat.departments.find((x) => x.id === r.departmentId);
    const finished = r.finishedAt ? localDay(r.finishedAt, cat.hall.timeZone) : undefined;
    return this.d.pdf.certificate({
      caseNo: r.caseNo,
      matterName: r.matterName,
      matterNameEn: r.matterNameEn,
      departmentName: dept?.name ?? r.departmentId,
      holderName: r.applicant.name,
      ...(r.applicant.idMasked ? { holderIdMasked: r.applicant.idMasked } : {}),
      acceptedOn: r.acceptedOn,
      ...(finished ? { finishedOn: finished } : {}),
      printedAt: this.printedAt(),
      terminalId,
      ...(copy ? { copy } : {}),
      hallName: cat.hall.name,
      verifyUrl: `${this.d.publicUrl()}/q/${r.caseNo}`,
    });
  }

  /**
   * A second copy of a self-printed certificate (补打): only a clerk prints it — at the
   * 统一出证 window they hold (supervisors and admins at any), on that window's A4 printer
   * or on a terminal's — and each copy is recorded with who, where and why. A certificate
   * never self-printed has no copy to make: it is handed over at the window (NOT_SELF_PRINTED).
   */
  async clerkReprint(
    staff: ReprintActor,
    caseNo: string,
    body: { counterId: string; terminalId?: string; reason: string },
  ): Promise<ClerkReprintReply> {
    const cat = this.d.catalogue();
    const counter = cat.counters.find((c) => c.id === body.counterId);
    if (!counter) throw new HallError("UNKNOWN_COUNTER", "no such counter");
    const privileged = staff.role === "supervisor" || staff.role === "admin";
    if (staff.role === "approver") throw new HallError("FORBIDDEN", "copies are printed at a window");
    if (!privileged && this.d.counterHolder?.(body.counterId) !== staff.id)
      throw new HallError("FORBIDDEN", "act at the window you hold");
    const r = await this.d.store.get(caseNo);
    if (!r) throw new HallError("UNKNOWN_CASE", "no such case");
    const matter = cat.matters.find((m) => m.id === r.matterId);
    if (!matter?.selfPrint) throw new HallError("SELF_PRINT_NOT_ALLOWED", "this matter's certificates are not printed on A4");
    const first = await this.d.store.printOf(caseNo);
    if (first?.state !== "printed") throw new HallError("NOT_SELF_PRINTED", "never self-printed: hand it over at the window");
    // One copy at a time per case: a double click does not print two.
    if (this.copying.has(caseNo)) throw new HallError("PRINT_IN_PROGRESS", "a copy is being printed");
    this.copying.add(caseNo);
    try {
      return await this.printCopy(staff, r, first.terminalId, counter.number, body);
    } finally {
      this.copying.delete(caseNo);
    }
  }

  private async printCopy(
    staff: ReprintActor,
    r: CaseRecord,
    firstTerminal: string,
    counterNumber: number,
    body: { counterId: string; terminalId?: string; reason: string },
  ): Promise<ClerkReprintReply> {
    const caseNo = r.caseNo;
    const prior = await this.d.store.reprintsOf(caseNo);
    const n = (prior.at(-1)?.copy ?? 1) + 1;
    const where = body.terminalId ? `自助终端 ${body.terminalId}` : `${counterNumber}号窗口`;
    const pdf = await this.certificatePdf(r, firstTerminal, { n, where, staffName: staff.name });
    const job = { jobId: `copy-${caseNo}-${n}`, name: `copy ${caseNo}`, pdf };
    const result = body.terminalId
      ? await this.d.printer.printA4(body.terminalId, job)
      : ((await this.d.printer.printA4AtCounter?.(body.counterId, job)) ?? { status: "none" as const });
    if (result.status === "none") throw new HallError("NO_PRINTER", "no A4 printer there");
    if (result.status === "failed") {
      this.d.log(`certificate copy at ${body.terminalId ?? body.counterId}: print failed (${result.error})`);
      throw printError(result);
    }
    const copy = await this.d.store.recordReprint({
      caseNo,
      staffId: staff.id,
      staffName: staff.name,
      counterId: body.counterId,
      printerId: result.printerId,
      reason: body.reason,
      at: this.d.clock(),
    });
    this.d.log(`certificate copy ${copy} of ${caseNo} printed on ${result.printerId} by ${staff.id}`);
    return { caseNo, copy, print: result };
  }

  /** The clerks' copies of a case (the window shows how many were made). */
  reprints(caseNo: string): Promise<ReprintRecord[]> {
    return this.d.store.reprintsOf(caseNo);
  }

  /** A matter's guide on A4 (anyone at the terminal; no personal data). */
  async printGuide(terminalId: string, matterId: string): Promise<{ print: A4PrintResult }> {
    const cat = this.d.catalogue();
    const m = cat.matters.find((x) => x.id === matterId);
    if (!m) throw new HallError("UNKNOWN_MATTER", "no such matter");
    const dept = cat.departments.find((x) => x.id === m.departmentId);
    const queue = cat.queues.find((q) => q.id === m.queueId);
    const zone = cat.zones.find((z) => z.id === (queue?.zoneId ?? dept?.zoneId));
    const pdf = await this.d.pdf.guide({
      hallName: cat.hall.name,
      matterName: m.name,
      matterNameEn: m.nameEn,
      departmentName: dept?.name ?? m.departmentId,
      materials: m.materials,
      legalDays: m.legalDays,
      promisedDays: m.promisedDays,
      feeYuan: m.feeYuan,
      where: zone ? `${zone.floor} ${zone.name}${queue ? `（${queue.name}，${queue.prefix} 号）` : ""}` : "",
      printedAt: this.printedAt(),
    });
    const result = await this.d.printer.printA4(terminalId, {
      jobId: `guide-${m.id}-${this.d.clock()}`,
      name: `guide ${m.id}`,
      pdf,
    });
    if (result.status === "none") throw new HallError("NO_PRINTER", "this terminal has no A4 printer");
    if (result.status === "failed") throw printError(result);
    return { print: result };
  }
}
