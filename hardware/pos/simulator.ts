import type { ByteLink } from "../transport/link.ts";
import { PosChannel } from "./channel.ts";
import {
  type PosAnswer,
  type PosBatchRecord,
  PosCmd,
  PosCode,
  type PosRequest,
  type PosStage,
  STX,
  answerBody,
  decodeRequest,
  epochToPosTime,
  maskCardNumber,
} from "./protocol.ts";

/** What the next card presented at the simulated POS does. */
export type PosCardOutcome =
  | "approve"
  | "insufficient_funds"
  | "declined"
  | "wrong_pin"
  | "expired"
  /** The visitor presses cancel on the POS. */
  | "cancel"
  /** Nobody presents a card: the POS's own wait (`cardTimeoutMs`) runs out. */
  | "no_card"
  /** The bank does not answer: the POS reverses the sale itself (code 98), nothing charged. */
  | "bank_timeout"
  /** The card is pulled out while the PIN is asked (X3), nothing charged. */
  | "card_removed";

/**
 * Faults of the POS itself (the cable is pulled on the link): `silent` answers nothing, not
 * even ACKs (a POS that hung or was switched off); `garbled` corrupts every frame it sends
 * (the hub NAKs, it retransmits, in vain); `hang` goes through a sale or refund but its final
 * answer is never sent (only `query` finds the outcome).
 */
export type PosFault = "none" | "silent" | "garbled" | "hang";

export interface PosSimulatorOptions {
  /** 终端号 reported by STATUS. Default "10000001". */
  terminalNo?: string;
  /** Time each stage takes (card presented, card read, PIN entered, bank answer). Default 300 ms. */
  stageMs?: number;
  /** With `manualCard`, how long the POS waits for `presentCard()`. Default 60 s. */
  cardTimeoutMs?: number;
  /** Wait for `presentCard()` instead of presenting a card by itself after `stageMs`. */
  manualCard?: boolean;
  /** Records per batch page. Default 10. */
  pageSize?: number;
  clock?: () => number;
  /** The POS clock's zone, minutes east of UTC. Default 480 (Beijing). */
  utcOffsetMinutes?: number;
  ackTimeoutMs?: number;
  retries?: number;
  /** The journal a previous run of this POS left (see `persist`); its open sale carries on. */
  restore?: PosSimJournal;
  /**
   * Keep the journal durably (a file): called, and awaited, before every answer that the
   * journal must outlive — a sale begun, each stage, its outcome, a refund. A real POS keeps
   * its journal through anything the hub goes through; a simulator living in the hub's
   * process keeps it this way through a kill -9 of the hub.
   */
  persist?: (journal: PosSimJournal) => Promise<void>;
}

/** What the simulated POS remembers (its journal), as `persist` gets it and `restore` takes it. */
export interface PosSimJournal {
  sales: SimSale[];
  charges: { orderId: string; amountFen: number; refNo: string }[];
  refSeq: number;
  cardSeq: number;
}

/** One try of a sale as the simulated POS's journal keeps it. */
export interface SimSale {
  orderId: string;
  attempt: string;
  amountFen: number;
  state: "in_progress" | "approved" | "declined";
  stage: PosStage;
  code: string;
  refNo: string;
  cardMasked: string;
  /** Epoch ms of the outcome. */
  at: number;
  refunds: SimRefund[];
  /** What the card presented will do, once one was (a resumed sale ends the same way). */
  outcome?: PosCardOutcome;
}

export interface SimRefund {
  refundId: string;
  amountFen: number;
  ok: boolean;
  code: string;
  refundRefNo: string;
  at: number;
}

const STAGE_ORDER: readonly PosStage[] = ["WAIT_CARD", "READ_CARD", "WAIT_PIN", "ONLINE"];

const CARDS = ["6222021234567890123", "6225880137654321", "6217000010012345678", "6228480402564890018"];

/**
 * A bank-card POS on the device end of a link, behaving as a real one does: it asks for the
 * card and the PIN (progress frames), goes online, answers approved or declined with a
 * reference number and a masked card number, keeps its journal across cable pulls (a
 * payment finishes even while the hub is unplugged) and answers a repeated SALE of an order
 * with that order's outcome instead of charging it again.
 */
export class PosSimulator {
  private readonly channel: PosChannel;
  private readonly terminalNo: string;
  private stageMs: number;
  private readonly cardTimeoutMs: number;
  private readonly manualCard: boolean;
  private readonly pageSize: number;
  private readonly clock: () => number;
  private readonly offset: number;
  private fault: PosFault = "none";
  private readonly outcomes: PosCardOutcome[] = [];
  private current: SimSale | undefined;
  private cardWaiter: ((outcome: PosCardOutcome | undefined) => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private refSeq = 1;
  private cardSeq = 0;
  private corruptInbound = 0;
  private corruptCountdown = -1;
  private garbleOutbound = 0;
  private dropAcks = 0;
  private detached = false;
  private readonly persist: ((journal: PosSimJournal) => Promise<void>) | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Every try of every sale, oldest first. */
  readonly sales: SimSale[] = [];
  /** Every charge the bank made: one entry per approved sale, never more for one order. */
  readonly charges: { orderId: string; amountFen: number; refNo: string }[] = [];
  /** Commands received and delivered (retransmitted duplicates are not), by letter and order. */
  readonly received: string[] = [];

  constructor(
    readonly link: ByteLink,
    opts: PosSimulatorOptions = {},
  ) {
    this.terminalNo = opts.terminalNo ?? "10000001";
    this.stageMs = opts.stageMs ?? 300;
    this.cardTimeoutMs = opts.cardTimeoutMs ?? 60_000;
    this.manualCard = opts.manualCard ?? false;
    this.pageSize = opts.pageSize ?? 10;
    this.clock = opts.clock ?? Date.now;
    this.offset = opts.utcOffsetMinutes ?? 480;
    this.persist = opts.persist;
    if (opts.restore) {
      this.sales.push(...opts.restore.sales);
      this.charges.push(...opts.restore.charges);
      this.refSeq = opts.restore.refSeq;
      this.cardSeq = opts.restore.cardSeq;
    }
    this.channel = new PosChannel(link, {
      ackTimeoutMs: opts.ackTimeoutMs,
      retries: opts.retries,
      clock: this.clock,
      inbound: (chunk) => this.inbound(chunk),
      outbound: (frame) => this.outbound(frame),
      shouldAck: () => {
        if (this.dropAcks <= 0) return true;
        this.dropAcks--;
        return false;
      },
    });
    this.channel.on("frame", (f) => {
      const req = decodeRequest(f);
      this.received.push(req && "orderId" in req ? `${f.cmd}:${req.orderId}` : f.cmd);
      if (req) this.handle(req);
      else {
        const known = (Object.values(PosCmd) as string[]).includes(f.cmd);
        this.reply({ type: "error", cmd: f.cmd, code: known ? "BAD_REQUEST" : "UNKNOWN_COMMAND", orderId: "" });
      }
    });
    // A sale the POS was in the middle of carries on where it was (the visitor is still at
    // the PIN pad); one still waiting for a card ends as no card: its wait ran out meanwhile.
    for (const sale of this.sales.filter((x) => x.state === "in_progress")) {
      if (sale.outcome === undefined) void this.settle(sale, PosCode.CARD_TIMEOUT);
      else if (!this.current) {
        this.current = sale;
        void this.runSale(sale);
      }
    }
  }

  /** The journal as it is now (a copy). */
  journal(): PosSimJournal {
    return structuredClone({ sales: this.sales, charges: this.charges, refSeq: this.refSeq, cardSeq: this.cardSeq });
  }

  /** Persist the journal; resolves once it is kept (writes go one after another). */
  private save(): Promise<void> {
    const persist = this.persist;
    if (!persist || this.detached) return Promise.resolve();
    const snapshot = this.journal();
    this.saving = this.saving.then(() => persist(snapshot)).catch(() => undefined);
    return this.saving;
  }

  /** Link-layer counters of the POS's end (retransmits, NAKs sent, duplicates dropped). */
  get stats(): PosChannel["stats"] {
    return this.channel.stats;
  }

  /** The outcome of the next card presented (queued; "approve" when none is queued). */
  nextCard(outcome: PosCardOutcome): void {
    this.outcomes.push(outcome);
  }

  /** Manual mode: the visitor presents a card now (optionally with its outcome). */
  presentCard(outcome?: PosCardOutcome): void {
    const w = this.cardWaiter;
    if (!w) throw new Error("the POS is not waiting for a card");
    this.cardWaiter = undefined;
    w(outcome ?? this.outcomes.shift() ?? "approve");
  }

  /** Whether a sale is waiting for a card. */
  get waitingForCard(): boolean {
    return this.cardWaiter !== undefined;
  }

  injectFault(fault: PosFault): void {
    this.fault = fault;
  }

  /**
   * A slow visitor (or a slow bank) from now on: each stage that starts takes `ms`. A crash
   * test uses it to hold a sale at the PIN long enough to kill the hub there, whatever the
   * machine's load.
   */
  setStageMs(ms: number): void {
    this.stageMs = ms;
  }

  /** Corrupt the next `n` frames arriving from the hub (the POS NAKs them). */
  nakNext(n: number): void {
    this.corruptInbound += n;
  }

  /** Corrupt the next `n` frames the POS sends (the hub NAKs them, the POS sends again). */
  garbleNext(n: number): void {
    this.garbleOutbound += n;
  }

  /** Lose the ACKs of the next `n` frames that arrive whole (the hub retransmits them). */
  dropAcksNext(n: number): void {
    this.dropAcks += n;
  }

  /** Approved charges of `orderId` (what the card holder's bank statement would show). */
  chargesOf(orderId: string): number {
    return this.charges.filter((c) => c.orderId === orderId).length;
  }

  /** Let go of the link and stop every timer (the link is its owner's to close). */
  detach(): void {
    this.detached = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.cardWaiter?.(undefined);
    this.channel.detach();
  }

  private handle(req: PosRequest): void {
    switch (req.type) {
      case "sale":
        this.sale(req.orderId, req.amountFen, req.attempt);
        return;
      case "query":
        // Answered once the journal holds what it says (a sale settles in memory a moment
        // before its journal is on disk): a POS never reports what it could lose.
        void this.saving.then(() => this.reply(this.queryAnswer(req.orderId)));
        return;
      case "refund":
        this.refund(req.orderId, req.refundId, req.amountFen);
        return;
      case "batch":
        this.reply(this.batchAnswer(req.day, req.page));
        return;
      case "status":
        this.reply({
          type: "status",
          state: this.current ? "BUSY" : "IDLE",
          orderId: this.current?.orderId ?? "",
          terminalNo: this.terminalNo,
        });
        return;
      case "cancel": {
        // Only before a card is read: after that the card and the bank decide.
        const w = this.cardWaiter;
        const stop = this.current?.orderId === req.orderId && this.current.outcome === undefined && w !== undefined;
        this.reply({ type: "cancel", orderId: req.orderId, stopped: stop });
        if (stop) {
          this.cardWaiter = undefined;
          w("cancel");
        }
        return;
      }
      default: {
        const never: never = req;
        void never;
      }
    }
  }

  private latest(orderId: string): SimSale | undefined {
    return this.sales.findLast((s) => s.orderId === orderId);
  }

  private sale(orderId: string, amountFen: number, attempt: string): void {
    const prior = this.latest(orderId);
    if (prior && prior.amountFen !== amountFen) {
      this.reply({ type: "error", cmd: "S", code: "MISMATCH", orderId });
      return;
    }
    if (prior?.state === "in_progress") {
      // The hub lost track (unplugged, restarted) and asks again: it joins the running try.
      this.reply({ type: "progress", orderId, stage: prior.stage });
      return;
    }
    // Approved: never charged twice. Declined: the same try is answered the same way; only
    // a new try (another card) starts over.
    if (prior && (prior.state === "approved" || prior.attempt === attempt)) {
      this.reply(this.saleAnswer(prior));
      return;
    }
    if (this.current) {
      this.reply({ type: "error", cmd: "S", code: "BUSY", orderId });
      return;
    }
    const s: SimSale = {
      orderId,
      attempt,
      amountFen,
      state: "in_progress",
      stage: "WAIT_CARD",
      code: "",
      refNo: "",
      cardMasked: "",
      at: 0,
      refunds: [],
    };
    this.sales.push(s);
    this.current = s;
    void this.runSale(s);
  }

  /** Enter a stage: journal it, then tell the hub. */
  private async enter(s: SimSale, st: PosStage): Promise<void> {
    s.stage = st;
    await this.save();
    if (!this.detached) this.reply({ type: "progress", orderId: s.orderId, stage: st });
  }

  /** A sale from where it stands (a resumed one skips the stages it went through). */
  private async runSale(s: SimSale): Promise<void> {
    const before = (st: PosStage) => STAGE_ORDER.indexOf(s.stage) < STAGE_ORDER.indexOf(st);
    if (s.outcome === undefined) {
      await this.enter(s, "WAIT_CARD");
      const outcome = await this.waitCard();
      if (this.detached) return;
      if (outcome === undefined || outcome === "no_card") return this.settle(s, PosCode.CARD_TIMEOUT);
      if (outcome === "cancel") return this.settle(s, PosCode.CANCELLED);
      s.outcome = outcome;
      s.cardMasked = maskCardNumber(CARDS[this.cardSeq++ % CARDS.length] ?? "");
    }
    const outcome = s.outcome;
    if (before("WAIT_PIN")) {
      await this.enter(s, "READ_CARD");
      await this.sleep(this.stageMs);
      if (this.detached) return;
      if (outcome === "expired") return this.settle(s, PosCode.EXPIRED_CARD);
    }
    if (before("ONLINE")) {
      await this.enter(s, "WAIT_PIN");
      await this.sleep(this.stageMs);
      if (this.detached) return;
      if (outcome === "wrong_pin") return this.settle(s, PosCode.WRONG_PIN);
      if (outcome === "card_removed") return this.settle(s, PosCode.CARD_REMOVED);
    }
    await this.enter(s, "ONLINE");
    await this.sleep(this.stageMs);
    if (this.detached) return;
    s.refNo = this.nextRefNo();
    switch (outcome) {
      case "approve":
        this.charges.push({ orderId: s.orderId, amountFen: s.amountFen, refNo: s.refNo });
        return this.settle(s, PosCode.APPROVED);
      case "insufficient_funds":
        return this.settle(s, PosCode.INSUFFICIENT_FUNDS);
      case "bank_timeout":
        return this.settle(s, PosCode.BANK_TIMEOUT);
      default:
        return this.settle(s, PosCode.DECLINED);
    }
  }

  private async settle(s: SimSale, code: string): Promise<void> {
    if (this.detached) return;
    s.code = code;
    s.state = code === PosCode.APPROVED ? "approved" : "declined";
    s.at = this.clock();
    if (this.current === s) this.current = undefined;
    // The journal is written (durably, first) whatever happens to the answer: lost on a
    // pulled cable, never sent when hung, or the hub killed, the outcome is there for QUERY.
    await this.save();
    if (this.fault !== "hang") this.reply(this.saleAnswer(s));
  }

  private waitCard(): Promise<PosCardOutcome | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          if (this.cardWaiter !== done) return;
          this.cardWaiter = undefined;
          resolve(this.manualCard ? "no_card" : (this.outcomes.shift() ?? "approve"));
        },
        this.manualCard ? this.cardTimeoutMs : this.stageMs,
      );
      this.timers.add(timer);
      const done = (o: PosCardOutcome | undefined) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(o);
      };
      this.cardWaiter = done;
    });
  }

  private refund(orderId: string, refundId: string, amountFen: number): void {
    const sale = this.sales.find((s) => s.orderId === orderId && s.state === "approved");
    const done = this.sales.flatMap((s) => s.refunds).find((r) => r.refundId === refundId);
    if (done) {
      this.reply(this.refundAnswer(orderId, done));
      return;
    }
    const now = this.clock();
    const refuse = (code: string) =>
      this.reply(this.refundAnswer(orderId, { refundId, amountFen, ok: false, code, refundRefNo: "", at: now }));
    if (!sale) {
      refuse(this.latest(orderId) ? PosCode.INVALID_TRANSACTION : PosCode.NOT_FOUND);
      return;
    }
    const refunded = sale.refunds.filter((r) => r.ok).reduce((n, r) => n + r.amountFen, 0);
    if (amountFen <= 0 || amountFen > sale.amountFen - refunded) {
      refuse(PosCode.INVALID_AMOUNT);
      return;
    }
    if (this.current) {
      this.reply({ type: "error", cmd: "R", code: "BUSY", orderId });
      return;
    }
    this.reply({ type: "progress", orderId, stage: "ONLINE" });
    const r: SimRefund = { refundId, amountFen, ok: true, code: PosCode.APPROVED, refundRefNo: this.nextRefNo(), at: 0 };
    void this.sleep(this.stageMs).then(async () => {
      if (this.detached) return;
      r.at = this.clock();
      sale.refunds.push(r);
      await this.save();
      if (this.fault !== "hang") this.reply(this.refundAnswer(orderId, r));
    });
  }

  private saleAnswer(s: SimSale): PosAnswer {
    return {
      type: "sale",
      orderId: s.orderId,
      code: s.code,
      amountFen: s.amountFen,
      refNo: s.refNo,
      cardMasked: s.cardMasked,
      time: epochToPosTime(s.at, this.offset),
    };
  }

  private refundAnswer(orderId: string, r: SimRefund): PosAnswer {
    return {
      type: "refund",
      orderId,
      refundId: r.refundId,
      code: r.code,
      amountFen: r.amountFen,
      refundRefNo: r.refundRefNo,
      time: epochToPosTime(r.at, this.offset),
    };
  }

  private queryAnswer(orderId: string): PosAnswer {
    const s = this.latest(orderId);
    const approved = this.sales.find((x) => x.orderId === orderId && x.state === "approved");
    const shown = approved ?? s;
    if (!shown)
      return { type: "query", orderId, state: "N", code: "", amountFen: 0, refNo: "", cardMasked: "", time: "", refundedFen: 0 };
    const state = shown.state === "approved" ? "A" : shown.state === "declined" ? "D" : "P";
    return {
      type: "query",
      orderId,
      state,
      code: shown.code,
      amountFen: shown.amountFen,
      refNo: shown.refNo,
      cardMasked: shown.cardMasked,
      time: state === "P" ? "" : epochToPosTime(shown.at, this.offset),
      refundedFen: shown.refunds.filter((r) => r.ok).reduce((n, r) => n + r.amountFen, 0),
    };
  }

  private batchAnswer(day: string, page: number): PosAnswer {
    const records: PosBatchRecord[] = [];
    for (const s of this.sales) {
      if (s.state !== "approved") continue;
      const time = epochToPosTime(s.at, this.offset);
      if (time.startsWith(day)) records.push({ kind: "sale", orderId: s.orderId, refNo: s.refNo, amountFen: s.amountFen, time });
      for (const r of s.refunds) {
        const rt = epochToPosTime(r.at, this.offset);
        if (r.ok && rt.startsWith(day))
          records.push({
            kind: "refund",
            orderId: s.orderId,
            refNo: s.refNo,
            amountFen: r.amountFen,
            time: rt,
            refundId: r.refundId,
            refundRefNo: r.refundRefNo,
          });
      }
    }
    records.sort((a, b) => a.time.localeCompare(b.time));
    const slice = records.slice(page * this.pageSize, (page + 1) * this.pageSize);
    return { type: "batch", day, page, more: records.length > (page + 1) * this.pageSize, records: slice };
  }

  private nextRefNo(): string {
    // 参考号: 12 digits, unique per POS; a day prefix keeps numbers of different days apart.
    const day = epochToPosTime(this.clock(), this.offset).slice(2, 8);
    return `${day}${String(this.refSeq++).padStart(6, "0")}`;
  }

  private reply(a: PosAnswer): void {
    if (this.fault === "silent" || this.detached) return;
    const b = answerBody(a);
    // Unplugged or unacknowledged: the answer is lost, as on a real line; the journal keeps it.
    this.channel.send(b.cmd, b.data).catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private inbound(chunk: Buffer): Buffer {
    // A switched-off POS hears nothing, so it acknowledges nothing either.
    if (this.fault === "silent") return Buffer.alloc(0);
    if (this.corruptInbound === 0 && this.corruptCountdown < 0) return chunk;
    const out = Buffer.from(chunk);
    for (let i = 0; i < out.length; i++) {
      if (this.corruptCountdown > 0) {
        this.corruptCountdown--;
        // The SEQ digit (5 bytes after STX) flipped to another digit: well-formed, wrong CRC.
        if (this.corruptCountdown === 0) {
          out[i] = (out[i] ?? 0) ^ 0x01;
          this.corruptCountdown = -1;
        }
      } else if (out[i] === STX && this.corruptInbound > 0) {
        this.corruptInbound--;
        this.corruptCountdown = 5;
      }
    }
    return out;
  }

  private outbound(frame: Buffer): Buffer {
    if (this.fault !== "garbled" && this.garbleOutbound <= 0) return frame;
    if (this.fault !== "garbled") this.garbleOutbound--;
    const out = Buffer.from(frame);
    out[5] = (out[5] ?? 0) ^ 0x01;
    return out;
  }
}
