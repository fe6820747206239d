/**
 * The case routes (办件) as the pages call them: acceptance at the counter, the back
 * office's worklist and transitions, the receipt print, the public progress lookup, and
 * the case socket. Every write carries an Idempotency-Key chosen once per intended write
 * (a retried press sends the same key, so the hub acts once).
 */
import { io } from "socket.io-client";
import type { Socket } from "socket.io-client";
import type {
  AcceptCaseBody,
  Case,
  CaseAction,
  CaseStats,
  CaseStatus,
  CaseWorklist,
  CaseSubscription,
  PublicCase,
} from "../server/src/contract/cases.ts";
import type { ClientToServerEvents, ErrorCode, PrintResult, ServerToClientEvents } from "../server/src/contract/index.ts";
import type { Api } from "./api.ts";
import { newRequestId } from "./api.ts";

const enc = encodeURIComponent;

/** Filters of the worklist (`GET /api/cases`). */
export interface WorklistQuery {
  dept?: string;
  /** One status or several, comma-separated ("accepted,in_review,correction"). */
  status?: CaseStatus | string;
  overdue?: boolean;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface CasesApi {
  accept(body: AcceptCaseBody, key: string): Promise<Case>;
  get(caseNo: string): Promise<Case>;
  worklist(q: WorklistQuery): Promise<CaseWorklist>;
  transition(
    caseNo: string,
    body: { action: CaseAction; expectedVersion: number; note?: string; materialIndex?: number; trackingNo?: string },
    key: string,
  ): Promise<Case>;
  /** Print the case's 受理回执 / 一次性告知书 at the counter; `requestId` per press. */
  printReceipt(
    caseNo: string,
    body: { requestId: string; counterId?: string; lang?: "zh" | "en" },
  ): Promise<{ print: PrintResult }>;
  publicCase(caseNo: string, check: string): Promise<PublicCase>;
  stats(from?: string): Promise<CaseStats>;
}

export function casesApi(api: Api): CasesApi {
  const idem = (key: string) => ({ "idempotency-key": key });
  return {
    accept: (body, key) => api.request("POST", "/api/cases", body, idem(key)),
    get: (caseNo) => api.request("GET", `/api/cases/${enc(caseNo)}`),
    worklist: (q) => {
      const p = new URLSearchParams();
      if (q.dept) p.set("dept", q.dept);
      if (q.status) p.set("status", q.status);
      if (q.overdue) p.set("overdue", "1");
      if (q.q) p.set("q", q.q);
      if (q.limit) p.set("limit", String(q.limit));
      if (q.cursor) p.set("cursor", q.cursor);
      const qs = p.toString();
      return api.request("GET", `/api/cases${qs ? `?${qs}` : ""}`);
    },
    transition: (caseNo, body, key) => api.request("POST", `/api/cases/${enc(caseNo)}/transitions`, body, idem(key)),
    printReceipt: (caseNo, body) => api.request("POST", `/api/cases/${enc(caseNo)}/receipt`, body),
    publicCase: (caseNo, check) => api.request("GET", `/api/public/cases/${enc(caseNo)}?check=${enc(check)}`),
    stats: (from) => api.request("GET", `/api/cases/stats${from ? `?from=${enc(from)}` : ""}`),
  };
}

/** A fresh key for one intended write. */
export const newIdempotencyKey = newRequestId;

/** The hub's socket, typed by its event maps (the case events are in them). */
export type CaseSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A socket that joins a case room (`cases:subscribe`) on every connect — a restarted hub
 * has forgotten its rooms — and reports each (re)connect so the page refetches what it
 * may have missed.
 */
export function caseSocket(
  sub: CaseSubscription,
  opts: {
    token?: string | null;
    onConnect?: () => void;
    onState?: (connected: boolean) => void;
    onRefused?: (code: ErrorCode) => void;
  },
): CaseSocket {
  const s: CaseSocket = io("", {
    path: "/socket.io",
    auth: opts.token ? { token: opts.token } : {},
    reconnectionDelayMax: 2000,
  });
  s.on("connect", () => {
    opts.onState?.(true);
    s.emit("cases:subscribe", sub, (r) => {
      if (!r.ok) opts.onRefused?.(r.error);
    });
    opts.onConnect?.();
  });
  s.on("disconnect", () => opts.onState?.(false));
  s.on("connect_error", () => opts.onState?.(false));
  return s;
}
