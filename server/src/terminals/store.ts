/**
 * What terminals keep in the case database: the print-once record of each self-printed
 * certificate (table case_prints, migration 6 in cases/migrations.ts), the clerks' later
 * copies (case_reprints, migration 9), and the reads they need of cases (a person's cases
 * by the salted ID hash the case store indexes).
 */
import type { Kysely } from "kysely";
import type { CaseDb } from "../cases/db.ts";
import type { CaseRecord } from "../cases/model.ts";
import type { CaseStore } from "../cases/store.ts";
import type { ReprintRecord } from "../contract/terminals.ts";
import { HallError } from "../hall/errors.ts";

interface CasePrintsTable {
  case_no: string;
  /** "printing" while the printer works on it, "printed" once it completed. */
  state: string;
  terminal_id: string;
  started_at: number;
  printed_at: number | null;
}

interface CaseReprintsTable {
  case_no: string;
  /** 2, 3, … per case (the self-print was copy 1). */
  seq: number;
  staff_id: string;
  staff_name: string;
  counter_id: string;
  printer_id: string;
  reason: string;
  printed_at: number;
}

type PrintDb = CaseDb & { case_prints: CasePrintsTable; case_reprints: CaseReprintsTable };

export interface PrintRecord {
  state: "printing" | "printed";
  terminalId: string;
  startedAt: number;
  printedAt?: number;
}

/** Cases shown at most for one card (the newest). */
const MAX_CASES = 50;

export class PrintStore {
  private readonly db: Kysely<PrintDb>;

  constructor(cases: CaseStore) {
    this.db = cases.db as unknown as Kysely<PrintDb>;
  }

  async get(caseNo: string): Promise<CaseRecord | undefined> {
    const row = await this.db.selectFrom("cases").select("doc").where("case_no", "=", caseNo).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as CaseRecord) : undefined;
  }

  /** A person's cases by the salted hash of their ID number (indexed), newest first. */
  async casesOfIdHash(idHash: string): Promise<CaseRecord[]> {
    const rows = await this.db
      .selectFrom("cases")
      .select("doc")
      .where("id_hash", "=", idHash)
      .orderBy("accepted_at", "desc")
      .limit(MAX_CASES)
      .execute();
    return rows.map((r) => JSON.parse(r.doc) as CaseRecord);
  }

  async printOf(caseNo: string): Promise<PrintRecord | undefined> {
    const r = await this.db.selectFrom("case_prints").selectAll().where("case_no", "=", caseNo).executeTakeFirst();
    if (!r) return undefined;
    return {
      state: r.state === "printed" ? "printed" : "printing",
      terminalId: r.terminal_id,
      startedAt: Number(r.started_at),
      ...(r.printed_at !== null ? { printedAt: Number(r.printed_at) } : {}),
    };
  }

  /**
   * Claim the one print of a case, in one transaction: refused when it was printed
   * (ALREADY_PRINTED) or is being printed (PRINT_IN_PROGRESS). A claim older than
   * `staleMs` (the hub stopped mid-print) may be taken over.
   */
  async claim(caseNo: string, terminalId: string, now: number, staleMs: number): Promise<void> {
    await this.db
      .transaction()
      .execute(async (tx) => {
        const r = await tx.selectFrom("case_prints").selectAll().where("case_no", "=", caseNo).executeTakeFirst();
        if (r?.state === "printed") throw new HallError("ALREADY_PRINTED", "printed once already");
        if (r && Number(r.started_at) > now - staleMs) throw new HallError("PRINT_IN_PROGRESS", "being printed now");
        if (r) {
          // Taking over a stale claim: only if nobody took it over meanwhile.
          const u = await tx
            .updateTable("case_prints")
            .set({ state: "printing", terminal_id: terminalId, started_at: now, printed_at: null })
            .where("case_no", "=", caseNo)
            .where("state", "=", "printing")
            .where("started_at", "=", r.started_at)
            .executeTakeFirst();
          if (Number(u.numUpdatedRows) !== 1) throw new HallError("PRINT_IN_PROGRESS", "being printed now");
        } else
          await tx
            .insertInto("case_prints")
            .values({ case_no: caseNo, state: "printing", terminal_id: terminalId, started_at: now, printed_at: null })
            .execute();
      })
      .catch((err: unknown) => {
        if (err instanceof HallError) throw err;
        // Two claims raced: the other one's row won (primary key).
        const code = (err as { code?: unknown })?.code;
        if (code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY")
          throw new HallError("PRINT_IN_PROGRESS", "being printed now");
        throw err;
      });
  }

  /** The printer completed the job: the certificate counts as printed. */
  async printed(caseNo: string, now: number): Promise<void> {
    await this.db.updateTable("case_prints").set({ state: "printed", printed_at: now }).where("case_no", "=", caseNo).execute();
  }

  /**
   * Record a clerk's copy (after the printer completed it); returns its number: 2 for the
   * first copy after the self-print. Two clerks at once: the loser of the key race retries.
   */
  async recordReprint(r: Omit<ReprintRecord, "copy">): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const last = await tx
            .selectFrom("case_reprints")
            .select((eb) => eb.fn.max("seq").as("seq"))
            .where("case_no", "=", r.caseNo)
            .executeTakeFirst();
          const copy = Math.max(1, Number(last?.seq ?? 1)) + 1;
          await tx
            .insertInto("case_reprints")
            .values({
              case_no: r.caseNo,
              seq: copy,
              staff_id: r.staffId,
              staff_name: r.staffName,
              counter_id: r.counterId,
              printer_id: r.printerId,
              reason: r.reason,
              printed_at: r.at,
            })
            .execute();
          return copy;
        });
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        const race = code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
        if (!race || attempt >= 3) throw err;
      }
    }
  }

  /** The clerks' copies of a case, oldest first. */
  async reprintsOf(caseNo: string): Promise<ReprintRecord[]> {
    const rows = await this.db.selectFrom("case_reprints").selectAll().where("case_no", "=", caseNo).orderBy("seq").execute();
    return rows.map((x) => ({
      caseNo: x.case_no,
      copy: Number(x.seq),
      staffId: x.staff_id,
      staffName: x.staff_name,
      counterId: x.counter_id,
      printerId: x.printer_id,
      reason: x.reason,
      at: Number(x.printed_at),
    }));
  }

  /** The print failed (jam, paper, offline): nothing counts, the visitor may try again. */
  async release(caseNo: string): Promise<void> {
    await this.db.deleteFrom("case_prints").where("case_no", "=", caseNo).where("state", "=", "printing").execute();
  }
}
