/**
 * After approval (issue 11): the 统一出证 window hands certificates over once and records
 * who took them; the post (邮政寄递) takes an address, gets a waybill from the courier
 * (retried under one idempotency key: never a second parcel), prints the label on the
 * window's label printer (kept and reprinted when the printer is back) and follows the
 * courier's news. Every change runs through the case engine in one store transaction and
 * is told on the case bus, so the progress page and the wall follow.
 *
 * Personal data (ID numbers, phones, addresses) is never logged here.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import type { LabelJob } from "../../../hardware/label/protocol.ts";
import type { Case, LocalDate, PublicCase } from "../contract/cases.ts";
import type { Catalogue } from "../contract/catalogue.ts";
import type {
  CertificateMatch,
  CollectBody,
  CourierCallback,
  ImportResult,
  MailResult,
  PostalAddressBody,
  PostalLedger,
  PostalLedgerRow,
  PostalStatus,
  WindowLookup,
} from "../contract/delivery.ts";
import type { PrintResult } from "../contract/events.ts";
import { localDay } from "../core/time.ts";
import { hallCalendar } from "../cases/china-calendar.ts";
import { type CaseEnv, decide } from "../cases/engine.ts";
import type { CaseBusEvents } from "../cases/events.ts";
import type { CaseCommand, CaseRecord, StoredCollection } from "../cases/model.ts";
import { CASE_NO } from "../cases/service.ts";
import type { CaseStore } from "../cases/store.ts";
import { maskId, maskName, maskPhone, publicView, staffView } from "../cases/views.ts";
import type { Bus } from "../hall/bus.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffRecord } from "../store/config.ts";
import { addressProblem, phoneProblem } from "./address.ts";
import { type CourierAdapter, CourierTimeout, signCallback } from "./courier.ts";

export interface DeliveryDeps {
  store: CaseStore;
  catalogue: () => Catalogue;
  clock: () => number;
  idSalt: string;
  /** Shared secret of the courier's callbacks (HMAC-SHA256 of the body). */
  courierSecret: string;
  courier: CourierAdapter;
  counterHolder: (counterId: string) => string | undefined;
  printLabel: (counterId: string, jobId: string, job: LabelJob) => Promise<PrintResult>;
  bus: Bus<CaseBusEvents>;
  log: (line: string) => void;
  /** Tries of one waybill assignment before COURIER_UNAVAILABLE (default 3), each bounded. */
  courierTries?: number;
  courierTimeoutMs?: number;
}

/** An ID card read at a window: the number is hashed at once; the page gets a short-lived id. */
interface Reading {
  counterId: string;
  name: string;
  idHash: string;
  idMasked: string;
  expires: number;
}

const READING_TTL_MS = 10 * 60_000;
const COLLECTABLE = new Set(["certificate_ready"]);

function privileged(s: StaffRecord): boolean {
  return s.role === "supervisor" || s.role === "admin";
}

function requestHash(route: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([route, body]))
    .digest("base64url");
}

/** The case number in a receipt's QR (…/q/<caseNo>) or the number itself. */
export function caseNoFromCode(code: string): string | undefined {
  const m = /(\d{6}-\d{8}-\d{5,7})(?:[/?#].*)?$/.exec(code.trim());
  return m?.[1] && CASE_NO.test(m[1]) ? m[1] : undefined;
}

export class DeliveryService extends EventEmitter<{ found: [WindowLookup] }> {
  private readonly readings = new Map<string, Reading>();
  private readonly reprinting = new Set<string>();

  constructor(private readonly d: DeliveryDeps) {
    super();
  }

  private env(): CaseEnv {
    const hall = this.d.catalogue().hall;
    return { now: this.d.clock(), timeZone: hall.timeZone, calendar: hallCalendar(hall) };
  }

  /** The hall's time zone (the ledger's times are local). */
  timeZone(): string {
    return this.d.catalogue().hall.timeZone;
  }

  private today(): LocalDate {
    return localDay(this.d.clock(), this.d.catalogue().hall.timeZone);
  }

  private idHash(id: string): string {
    return createHmac("sha256", this.d.idSalt).update(id.toUpperCase()).digest("base64url");
  }

  /** A clerk at the window they hold; supervisors and admins anywhere; approvers never. */
  private atWindow(staff: StaffRecord, counterId: string): number | undefined {
    const counter = this.d.catalogue().counters.find((c) => c.id === counterId);
    if (!counter) throw new HallError("UNKNOWN_COUNTER", "no such counter");
    if (staff.role === "approver") throw new HallError("FORBIDDEN", "certificates are handed over at a window");
    if (!privileged(staff) && this.d.counterHolder(counterId) !== staff.id)
      throw new HallError("FORBIDDEN", "act at the window you hold");
    return counter.number;
  }

  private match(r: CaseRecord): CertificateMatch {
    const view = staffView(r, this.today());
    return {
      caseNo: r.caseNo,
      matterName: r.matterName,
      matterNameEn: r.matterNameEn,
      departmentId: r.departmentId,
      status: r.status,
      applicantName: r.applicant.name,
      ...(r.applicant.idMasked ? { applicantIdMasked: r.applicant.idMasked } : {}),
      version: r.version,
      collectable: COLLECTABLE.has(r.status) || (r.status === "mailed" && r.postal?.status === "returned"),
      ...(r.postal
        ? { postal: { status: r.postal.status, ...(r.postal.waybillNo ? { waybillNo: r.postal.waybillNo } : {}) } }
        : {}),
      ...(view.collection ? { collection: view.collection } : {}),
    };
  }

  /** Certificates of one person (by ID hash): ready ones first, then those already handed over. */
  private async byIdHash(idHash: string): Promise<CertificateMatch[]> {
    const rows = await this.d.store.db
      .selectFrom("cases")
      .select("doc")
      .where("id_hash", "=", idHash)
      .where("status", "in", ["approved", "certificate_ready", "collected", "mailed", "delivered"])
      .orderBy("accepted_at", "desc")
      .limit(50)
      .execute();
    const list = rows.map((r) => this.match(JSON.parse(r.doc) as CaseRecord));
    return list.sort((a, b) => Number(b.collectable) - Number(a.collectable));
  }

  private reading(id: string, counterId: string): Reading {
    const r = this.readings.get(id);
    if (!r || r.expires < this.d.clock() || r.counterId !== counterId)
      throw new HallError("VALIDATION_FAILED", "collector.reading: read the ID card again");
    return r;
  }

  /** The window's lookup by case number, receipt QR text or ID card reading. */
  async find(
    staff: StaffRecord,
    q: { caseNo?: string; qr?: string; reading?: string; counterId: string },
  ): Promise<CertificateMatch[]> {
    this.atWindow(staff, q.counterId);
    if (q.reading) return this.byIdHash(this.reading(q.reading, q.counterId).idHash);
    const no = q.caseNo ?? (q.qr ? caseNoFromCode(q.qr) : undefined);
    if (!no) throw new HallError("VALIDATION_FAILED", "give caseNo, qr or reading");
    const c = await this.d.store.get(no);
    if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
    return [this.match(c)];
  }

  /** The window's ID card reader read a card: look up the holder's certificates, tell the page. */
  async windowIdCard(counterId: string, idNumber: string, name: string): Promise<void> {
    const now = this.d.clock();
    for (const [k, r] of this.readings) if (r.expires < now) this.readings.delete(k);
    const id = randomBytes(12).toString("base64url");
    const reading: Reading = {
      counterId,
      name,
      idHash: this.idHash(idNumber),
      idMasked: maskId(idNumber.toUpperCase()),
      expires: now + READING_TTL_MS,
    };
    this.readings.set(id, reading);
    const matches = await this.byIdHash(reading.idHash);
    this.emit("found", { counterId, source: "idreader", reading: { id, name, idMasked: reading.idMasked }, matches });
  }

  /** The window's scanner read a receipt's QR (or a case number). */
  async windowScan(counterId: string, code: string): Promise<void> {
    const no = caseNoFromCode(code);
    const c = no ? await this.d.store.get(no) : undefined;
    this.emit("found", { counterId, source: "scanner", matches: c ? [this.match(c)] : [] });
  }

  /** Run one engine command on a case in one transaction, under the caller's idempotency key. */
  private async run(
    scope: string,
    key: string,
    route: string,
    body: unknown,
    caseNo: string,
    command: (c: CaseRecord) => CaseCommand,
    check?: (c: CaseRecord) => void,
  ): Promise<{ record: CaseRecord; changed: boolean; stepped: boolean; replayed: boolean }> {
    const env = this.env();
    const { value, replayed } = await this.d.store.write({ scope, key, hash: requestHash(route, body) }, env.now, async (tx) => {
      const c = await tx.get(caseNo);
      if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
      check?.(c);
      const r = decide(c, command(c), env);
      if ("error" in r) throw new HallError(r.error, r.message);
      if (r.events.length === 0) return { record: c, changed: false, stepped: false };
      await tx.update(r.state, c.version, r.events);
      return { record: r.state, changed: true, stepped: r.events.some((e) => e.type === "case.transitioned") };
    });
    return { ...value, replayed };
  }

  /** Tell the bus: a step as a transition, anything else as an update (the socket publishes both). */
  private tell(r: CaseRecord, stepped: boolean): void {
    const c = staffView(r, this.today());
    const last = r.transitions[r.transitions.length - 1];
    if (stepped && last) this.d.bus.emit("case.transitioned", c, last);
    else this.d.bus.emit("case.updated", c);
  }

  async collect(staff: StaffRecord, caseNo: string, body: CollectBody, key: string): Promise<Case> {
    const counterNumber = this.atWindow(staff, body.counterId);
    let who: Omit<StoredCollection, "at" | "counterId" | "by" | "counterNumber">;
    if ("reading" in body.collector) {
      const r = this.reading(body.collector.reading, body.counterId);
      who = { kind: body.collector.kind, name: r.name, idHash: r.idHash, idMasked: r.idMasked };
    } else {
      const id = body.collector.idNumber.toUpperCase();
      who = { kind: body.collector.kind, name: body.collector.name.trim(), idHash: this.idHash(id), idMasked: maskId(id) };
    }
    const now = this.d.clock();
    const collection: StoredCollection = {
      ...who,
      at: now,
      counterId: body.counterId,
      ...(counterNumber !== undefined ? { counterNumber } : {}),
      by: { staffId: staff.id, name: staff.name, role: staff.role },
    };
    const out = await this.run(
      staff.id,
      key,
      `collect ${caseNo}`,
      { ...body, collector: { kind: who.kind, idHash: who.idHash } },
      caseNo,
      () => ({
        type: "transition",
        action: "collect",
        expectedVersion: body.expectedVersion,
        collection,
        by: collection.by,
      }),
      (c) => {
        // The applicant's own card must be theirs; anyone else collects as an agent (代领).
        if (who.kind === "applicant" && c.applicant.idHash && c.applicant.idHash !== who.idHash)
          throw new HallError("VALIDATION_FAILED", "collector: this ID is not the applicant's; record an agent (代领)");
      },
    );
    if (!out.replayed && out.changed) this.tell(out.record, out.stepped);
    // Collected instead of mailed: a waybill already taken for it is cancelled.
    if (out.changed) await this.voidUnusedWaybill(caseNo);
    return staffView(out.record, this.today());
  }

  /**
   * The applicant printed their own certificate at a self-service terminal (自助打印): that
   * is its hand-over, recorded like a collection at a window — who: the applicant (the card
   * the terminal read was theirs), where: the terminal — so the progress page, the wall and
   * the window all see it collected, and the window will not hand it over again. One key
   * per case, so calling it again (a retry, the terminal healing a missed record) does
   * nothing twice; a case already collected or in the post is left as it is.
   */
  async selfPrinted(caseNo: string, terminalId: string, printedAt: number): Promise<"collected" | "unchanged"> {
    const c = await this.d.store.get(caseNo);
    if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
    if (!COLLECTABLE.has(c.status)) return "unchanged";
    const by = { staffId: `terminal:${terminalId}`, name: `自助终端 ${terminalId}`, role: "terminal" };
    const collection: StoredCollection = {
      kind: "applicant",
      via: "self_print",
      name: c.applicant.name,
      idHash: c.applicant.idHash ?? "",
      idMasked: c.applicant.idMasked ?? "",
      at: printedAt,
      terminalId,
      by,
    };
    const out = await this.run("self-print", `collect-${caseNo}`, `self-print ${caseNo}`, { terminalId }, caseNo, (x) => ({
      type: "transition",
      action: "collect",
      expectedVersion: x.version,
      collection,
      by,
      note: "自助打印",
    }));
    if (!out.replayed && out.changed) this.tell(out.record, out.stepped);
    if (out.changed) await this.voidUnusedWaybill(caseNo);
    return out.changed ? "collected" : "unchanged";
  }

  private postalBody(b: PostalAddressBody): PostalAddressBody {
    const problem = addressProblem(b.address) ?? phoneProblem(b.phone);
    if (problem) throw new HallError("VALIDATION_FAILED", problem);
    return {
      recipient: b.recipient.trim(),
      phone: b.phone.replace(/[\s-]/g, ""),
      address: { ...b.address, street: b.address.street.trim() },
      paid: b.paid,
    };
  }

  async setPostal(staff: StaffRecord, caseNo: string, body: PostalAddressBody, key: string): Promise<Case> {
    if (staff.role === "approver") throw new HallError("FORBIDDEN", "addresses are taken at a counter");
    const p = this.postalBody(body);
    const out = await this.run(staff.id, key, `postal ${caseNo}`, p, caseNo, () => ({
      type: "set_postal",
      postal: { ...p, requestedBy: "staff" },
    }));
    if (!out.replayed && out.changed) this.tell(out.record, out.stepped);
    // A waybill taken for the old address is no use for the new one.
    if (out.changed) await this.voidUnusedWaybill(caseNo);
    return staffView(out.record, this.today());
  }

  /**
   * The visitor gives the address on the progress page, with the last four digits of the
   * applicant's phone (not the ID: whoever holds the ID card copy is not yet the recipient).
   * A wrong check answers as an unknown case.
   */
  async setPostalPublic(caseNo: string, check: string, body: PostalAddressBody): Promise<PublicCase> {
    const c = await this.d.store.get(caseNo);
    const phone4 = c?.applicant.phone.replace(/\D/g, "").slice(-4) ?? "";
    const a = Buffer.from(phone4);
    const b = Buffer.from(check);
    if (!c || a.length !== 4 || a.length !== b.length || !timingSafeEqual(a, b))
      throw new HallError("UNKNOWN_CASE", "no such case");
    const p = this.postalBody(body);
    const out = await this.run(`public:${caseNo}`, randomBytes(9).toString("base64url"), `postal ${caseNo}`, p, caseNo, () => ({
      type: "set_postal",
      postal: { ...p, requestedBy: "applicant" },
    }));
    if (out.changed) this.tell(out.record, out.stepped);
    if (out.changed) await this.voidUnusedWaybill(caseNo);
    return publicView(out.record, this.today());
  }

  private labelJob(r: CaseRecord, waybillNo: string, courierName: string): LabelJob {
    const cat = this.d.catalogue();
    const p = r.postal;
    if (!p) throw new HallError("NO_POSTAL_ADDRESS", "no postal address");
    const printedAtText = new Intl.DateTimeFormat("sv-SE", {
      timeZone: cat.hall.timeZone,
      dateStyle: "short",
      timeStyle: "short",
    }).format(this.d.clock());
    return {
      waybillNo,
      courierName,
      recipient: {
        name: p.recipient,
        phoneMasked: maskPhone(p.phone),
        province: p.address.province,
        city: p.address.city,
        county: p.address.county,
        street: p.address.street,
      },
      sender: { name: cat.hall.name, phone: "12345", address: cat.hall.address },
      caseNo: r.caseNo,
      paid: p.paid,
      printedAtText,
    };
  }

  /** Assign (or find) the case's waybill; retried under one key, so a lost answer makes no second parcel. */
  private async waybill(r: CaseRecord, counterId: string): Promise<string> {
    const db = this.d.store.db;
    const now = this.d.clock();
    const courierKey = `onevisit-${r.caseNo}`;
    await db
      .insertInto("postal_waybills")
      .values({
        case_no: r.caseNo,
        courier_key: courierKey,
        courier: this.d.courier.name,
        waybill_no: null,
        department_id: r.departmentId,
        counter_id: counterId,
        mailed_on: null,
        mailed_at: null,
        status: "requested",
        paid: r.postal?.paid ? 1 : 0,
        label_state: "pending",
        updated_at: now,
      })
      .onConflict((oc) => oc.column("case_no").doNothing())
      .execute();
    const row = await db.selectFrom("postal_waybills").selectAll().where("case_no", "=", r.caseNo).executeTakeFirstOrThrow();
    if (row.waybill_no) return row.waybill_no;
    const p = r.postal;
    if (!p) throw new HallError("NO_POSTAL_ADDRESS", "no postal address");
    const cat = this.d.catalogue();
    const tries = this.d.courierTries ?? 3;
    for (let i = 1; i <= tries; i++) {
      try {
        const limit = this.d.courierTimeoutMs ?? 5000;
        let timer: NodeJS.Timeout | undefined;
        // An adapter that hangs is a timeout too: the next try goes out under the same key.
        const { waybillNo } = await Promise.race([
          this.d.courier.assign(
            {
              idempotencyKey: row.courier_key,
              caseNo: r.caseNo,
              to: p,
              from: { name: cat.hall.name, phone: "12345", address: cat.hall.address },
              paid: p.paid,
            },
            limit,
          ),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new CourierTimeout()), limit);
          }),
        ]).finally(() => clearTimeout(timer));
        await db
          .updateTable("postal_waybills")
          .set({ waybill_no: waybillNo, updated_at: this.d.clock() })
          .where("case_no", "=", r.caseNo)
          .execute();
        return waybillNo;
      } catch (err) {
        this.d.log(
          `postal: courier ${err instanceof CourierTimeout ? "timed out" : "failed"} for a waybill (try ${i} of ${tries})`,
        );
      }
    }
    throw new HallError("COURIER_UNAVAILABLE", "the courier did not answer; try again");
  }

  private async printFor(r: CaseRecord, counterId: string): Promise<MailResult["label"]> {
    const p = r.postal;
    if (!p?.waybillNo) throw new HallError("NO_POSTAL_ADDRESS", "not mailed yet");
    const res = await this.d.printLabel(
      counterId,
      `label-${p.waybillNo}`,
      this.labelJob(r, p.waybillNo, p.courier ?? this.d.courier.name),
    );
    const printed = res.status === "printed";
    await this.d.store.db
      .updateTable("postal_waybills")
      .set({ label_state: printed ? "printed" : "pending", counter_id: counterId, updated_at: this.d.clock() })
      .where("case_no", "=", r.caseNo)
      .execute();
    if (res.status === "printed") return { status: "printed", printerId: res.printerId };
    if (res.status === "failed") return { status: "pending", error: res.error, printerId: res.printerId };
    return { status: "none" };
  }

  /** 寄出: waybill from the courier, the case marked mailed, the label printed at the window. */
  async mail(staff: StaffRecord, caseNo: string, counterId: string, key: string): Promise<MailResult> {
    this.atWindow(staff, counterId);
    const c = await this.d.store.get(caseNo);
    if (!c) throw new HallError("UNKNOWN_CASE", "no such case");
    if (c.status === "collected") throw new HallError("CERTIFICATE_ALREADY_COLLECTED", "collected at the window");
    if (c.status === "mailed" || c.status === "delivered") throw new HallError("ALREADY_MAILED", "already in the post");
    if (!c.postal) throw new HallError("NO_POSTAL_ADDRESS", "no postal address");
    if (c.status !== "certificate_ready") throw new HallError("ILLEGAL_TRANSITION", `the certificate is not ready (${c.status})`);
    const waybillNo = await this.waybill(c, counterId);
    const out = await this.run(staff.id, key, `mail ${caseNo}`, { counterId }, caseNo, (x) => ({
      type: "transition",
      action: "mail",
      expectedVersion: x.version,
      trackingNo: waybillNo,
      courier: this.d.courier.name,
      by: { staffId: staff.id, name: staff.name, role: staff.role },
    }));
    const now = this.d.clock();
    await this.d.store.db
      .updateTable("postal_waybills")
      .set({ status: "sent", mailed_on: localDay(now, this.d.catalogue().hall.timeZone), mailed_at: now, updated_at: now })
      .where("case_no", "=", caseNo)
      .where("status", "=", "requested")
      .execute();
    if (!out.replayed && out.changed) this.tell(out.record, out.stepped);
    const label = await this.printFor(out.record, counterId);
    return { caseNo, waybillNo, label };
  }

  /** Print the label again (a jammed label, another window). */
  async reprint(staff: StaffRecord, caseNo: string, counterId: string): Promise<MailResult> {
    this.atWindow(staff, counterId);
    const c = await this.d.store.get(caseNo);
    if (!c?.postal?.waybillNo) throw new HallError("UNKNOWN_CASE", "no parcel for this case");
    return { caseNo, waybillNo: c.postal.waybillNo, label: await this.printFor(c, counterId) };
  }

  /** A window's label printer is back: print the labels it missed, oldest first. */
  async printerBack(counterId: string): Promise<number> {
    if (this.reprinting.has(counterId)) return 0;
    this.reprinting.add(counterId);
    let n = 0;
    try {
      const rows = await this.d.store.db
        .selectFrom("postal_waybills")
        .select("case_no")
        .where("label_state", "=", "pending")
        .where("counter_id", "=", counterId)
        .where("waybill_no", "is not", null)
        .orderBy("updated_at")
        .execute();
      for (const row of rows) {
        const c = await this.d.store.get(row.case_no);
        if (!c?.postal?.waybillNo) continue;
        const r = await this.printFor(c, counterId);
        if (r.status !== "printed") break;
        n++;
      }
    } finally {
      this.reprinting.delete(counterId);
    }
    if (n) this.d.log(`postal: ${n} pending label(s) printed at ${counterId}`);
    return n;
  }

  /**
   * Ask the courier where a parcel is (its `track`), for a parcel whose news stopped coming
   * (a lost callback, a courier that only answers queries): what it says goes through the
   * same idempotent path as a callback, so asking twice changes nothing twice.
   */
  async track(caseNo: string): Promise<{ caseNo: string; status: PostalStatus; result: "applied" | "duplicate" | "unknown" }> {
    const row = await this.d.store.db
      .selectFrom("postal_waybills")
      .select(["waybill_no", "status"])
      .where("case_no", "=", caseNo)
      .executeTakeFirst();
    const waybillNo = row?.waybill_no;
    if (!waybillNo || row.status === "requested") throw new HallError("UNKNOWN_CASE", "no parcel in the post for this case");
    const news = await this.d.courier.track(waybillNo);
    let result: "applied" | "duplicate" | "unknown" = "unknown";
    if (news && news.status !== "sent")
      // One event id per (parcel, status): the same answer twice is a duplicate.
      result = await this.courierNews({
        waybillNo,
        status: news.status,
        at: news.at,
        eventId: `track-${waybillNo}-${news.status}`,
      });
    else if (news) result = "duplicate";
    const c = await this.d.store.get(caseNo);
    return { caseNo, status: (c?.postal?.status ?? "sent") as PostalStatus, result };
  }

  /**
   * Parcels with no news for `quietMs` (sent or in transit): ask the courier about each,
   * oldest first, at most `limit` per round (a courier's query API is rate-limited).
   */
  async trackQuiet(quietMs: number, limit = 50): Promise<number> {
    const rows = await this.d.store.db
      .selectFrom("postal_waybills")
      .select("case_no")
      .where("status", "in", ["sent", "in_transit"])
      .where("waybill_no", "is not", null)
      .where("updated_at", "<", this.d.clock() - quietMs)
      .orderBy("updated_at")
      .limit(limit)
      .execute();
    let applied = 0;
    for (const r of rows) {
      try {
        if ((await this.track(r.case_no)).result === "applied") applied++;
        // Asked, nothing new: wait another quiet period before asking again.
        else
          await this.d.store.db
            .updateTable("postal_waybills")
            .set({ updated_at: this.d.clock() })
            .where("case_no", "=", r.case_no)
            .execute();
      } catch (err) {
        this.d.log(`postal: tracking a parcel failed (${err instanceof HallError ? err.code : "courier error"})`);
      }
    }
    return applied;
  }

  /**
   * A waybill the courier assigned but no parcel went out under (the mail step failed, then
   * the visitor collected at the window or changed the address): cancel it at the courier,
   * so no pickup is booked for nothing, and forget it — the next mailing asks under a new key
   * (the courier would answer the old key with the cancelled waybill).
   */
  private async voidUnusedWaybill(caseNo: string): Promise<void> {
    const db = this.d.store.db;
    const row = await db.selectFrom("postal_waybills").selectAll().where("case_no", "=", caseNo).executeTakeFirst();
    if (row?.status !== "requested") return;
    let waybillNo = row.waybill_no;
    const c = waybillNo ? undefined : await this.d.store.get(caseNo);
    if (!waybillNo && c?.postal) {
      // The courier's answer was lost (COURIER_UNAVAILABLE), but the order may have reached
      // it: the same key gives back that order's number (or makes one), to cancel it.
      const cat = this.d.catalogue();
      waybillNo = await this.d.courier
        .assign(
          {
            idempotencyKey: row.courier_key,
            caseNo,
            to: c.postal,
            from: { name: cat.hall.name, phone: "12345", address: cat.hall.address },
            paid: c.postal.paid,
          },
          this.d.courierTimeoutMs ?? 5000,
        )
        .then((x) => x.waybillNo)
        .catch(() => null);
    }
    if (waybillNo) {
      const cancelled = await this.d.courier.cancel(waybillNo).catch(() => false);
      this.d.log(`postal: unused waybill of a case ${cancelled ? "cancelled" : "could not be cancelled"} at the courier`);
    }
    const n = Number(/-v(\d+)$/.exec(row.courier_key)?.[1] ?? 1) + 1;
    await db
      .updateTable("postal_waybills")
      .set({ waybill_no: null, courier_key: `onevisit-${caseNo}-v${n}`, label_state: "pending", updated_at: this.d.clock() })
      .where("case_no", "=", caseNo)
      .where("status", "=", "requested")
      .execute();
  }

  /** Check a courier callback's signature (hex HMAC-SHA256 of the raw body). */
  verifySignature(raw: Buffer, signature: string | undefined): boolean {
    if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
    const want = Buffer.from(signCallback(this.d.courierSecret, raw), "hex");
    return timingSafeEqual(want, Buffer.from(signature, "hex"));
  }

  /** The courier's news about a parcel; the same event twice (or old news) changes nothing. */
  async courierNews(cb: CourierCallback): Promise<"applied" | "duplicate" | "unknown"> {
    const row = await this.d.store.db
      .selectFrom("postal_waybills")
      .select(["case_no"])
      .where("waybill_no", "=", cb.waybillNo)
      .executeTakeFirst();
    if (!row) return "unknown";
    const out = await this.run("courier", cb.eventId, `news ${cb.waybillNo}`, { status: cb.status }, row.case_no, () => ({
      type: "postal_status",
      status: cb.status,
      courier: this.d.courier.name,
    }));
    if (out.replayed || !out.changed) return "duplicate";
    await this.d.store.db
      .updateTable("postal_waybills")
      .set({ status: cb.status, updated_at: this.d.clock() })
      .where("case_no", "=", row.case_no)
      .execute();
    this.tell(out.record, out.stepped);
    return "applied";
  }

  /** A status file from the courier: `waybillNo,status,at,eventId` per line (a header line is skipped). */
  async importCsv(text: string): Promise<ImportResult> {
    const lines = text.split(/\r?\n/);
    const res: ImportResult = { rows: 0, applied: 0, duplicates: 0, errors: [] };
    for (const [i, raw] of lines.entries()) {
      const line = raw.trim();
      if (!line || (i === 0 && /^waybill/i.test(line))) continue;
      res.rows++;
      const [waybillNo = "", status = "", at = "", eventId = ""] = line.split(",").map((x) => x.trim());
      const problem = !/^[A-Za-z0-9-]{4,40}$/.test(waybillNo)
        ? "waybillNo"
        : !["in_transit", "delivered", "returned"].includes(status)
          ? "status (in_transit, delivered or returned)"
          : Number.isNaN(Date.parse(at))
            ? "at (ISO 8601 time)"
            : !/^[A-Za-z0-9._:-]{1,64}$/.test(eventId)
              ? "eventId"
              : undefined;
      if (problem) {
        res.errors.push({ line: i + 1, message: `bad ${problem}` });
        continue;
      }
      try {
        const r = await this.courierNews({ waybillNo, status: status as CourierCallback["status"], at: Date.parse(at), eventId });
        if (r === "applied") res.applied++;
        else if (r === "duplicate") res.duplicates++;
        else res.errors.push({ line: i + 1, message: "unknown waybill" });
      } catch (err) {
        res.errors.push({ line: i + 1, message: err instanceof HallError ? err.code : "failed" });
      }
    }
    return res;
  }

  /** 寄递台账: the parcels mailed on `day`, per department. */
  async ledger(day: LocalDate, departmentId?: string): Promise<PostalLedger> {
    let q = this.d.store.db
      .selectFrom("postal_waybills")
      .selectAll()
      .where("mailed_on", "=", day)
      .where("waybill_no", "is not", null);
    if (departmentId) q = q.where("department_id", "=", departmentId);
    const rows = await q.orderBy("department_id").orderBy("mailed_at").execute();
    const out: PostalLedgerRow[] = [];
    for (const w of rows) {
      const c = await this.d.store.get(w.case_no);
      if (!c?.postal) continue;
      out.push({
        day,
        departmentId: w.department_id,
        caseNo: w.case_no,
        matterName: c.matterName,
        waybillNo: w.waybill_no as string,
        courier: w.courier,
        recipientMasked: maskName(c.postal.recipient),
        county: `${c.postal.address.city}${c.postal.address.county}`,
        paid: w.paid === 1,
        status: c.postal.status as PostalStatus,
        mailedAt: Number(w.mailed_at),
        labelPrinted: w.label_state === "printed",
      });
    }
    const count = (f: (r: PostalLedgerRow) => boolean) => out.filter(f).length;
    return {
      day,
      ...(departmentId ? { departmentId } : {}),
      rows: out,
      totals: {
        mailed: out.length,
        free: count((r) => !r.paid),
        paid: count((r) => r.paid),
        delivered: count((r) => r.status === "delivered"),
        returned: count((r) => r.status === "returned"),
      },
    };
  }
}
