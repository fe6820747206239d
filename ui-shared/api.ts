/**
 * REST client of the hub. Every failure becomes an {@link ApiError} with a closed code,
 * so pages can show it in words with `errorMessage(err.code, lang)`.
 *
 * ```ts
 * const api = createApi({ token: () => sessionStorage.getItem("token") });
 * const t = await api.issueTicket({ matterId: "m1", kioskId: "k1" });
 * ```
 */
import type {
  Catalogue,
  CallInfo,
  CounterState,
  CounterView,
  HallSnapshot,
  IssuedTicket,
  IssueRequest,
  LoginReply,
  Outcome,
  PrintResult,
  PriorityClass,
  PublicTicket,
  RatingReason,
  RatingScore,
  TicketHolderView,
  StaffPublic,
  Ticket,
} from "../server/src/contract/index.ts";
import type { ClientErrorCode } from "./errors.ts";

/** A failed request: `code` is the hub's error code, or NETWORK when it was not reached. */
export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Normalises anything thrown into an ApiError (for `catch (e)` blocks). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError("INTERNAL", 0, e instanceof Error ? e.message : String(e));
}

export interface ApiOptions {
  /** Prefix of every path; "" = same origin. */
  baseUrl?: string;
  /** Bearer token for staff routes (read on each request). */
  token?: () => string | null;
}

/** `POST /api/tickets` body: the contract's one type for it. */
export type { IssueRequest };

/** Counter commands without a body, by route name. */
export type SimpleCounterCommand = "call-next" | "recall" | "start" | "no-show" | "resume" | "request-rating";

/** `GET /api/tickets/:id` reply; `holder` only when the ticket's key (or a staff token) was sent. */
export type TicketWithCall = PublicTicket & { call?: CallInfo; holder?: TicketHolderView };

/** A low rating's reasons (required for 1 or 2) and the visitor's own words. */
export interface RatingDetail {
  reasons?: RatingReason[];
  comment?: string;
}

/** A fresh id for one press of a button: a retried request reuses it, a new press gets another. */
export function newRequestId(): string {
  // crypto.randomUUID needs a secure context; hall pages are often plain http on the LAN.
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export interface Api {
  /** Low-level: JSON request; resolves `null` on 204. */
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  hall(): Promise<Catalogue>;
  state(): Promise<HallSnapshot>;
  issueTicket(body: IssueRequest): Promise<IssuedTicket>;
  /** With the ticket's holder key, the reply carries the private `holder` part. */
  ticket(id: string, key?: string): Promise<TicketWithCall>;
  /** `requestId` names the press: a retry of the same press prints once. */
  reprint(id: string, kioskId: string, key?: string, requestId?: string): Promise<{ print: PrintResult }>;
  reactivate(id: string, key?: string): Promise<PublicTicket>;
  cancel(id: string, key?: string): Promise<PublicTicket>;
  rate(id: string, score: RatingScore, key?: string, detail?: RatingDetail): Promise<PublicTicket>;
  login(username: string, password: string): Promise<LoginReply>;
  me(): Promise<{ staff: StaffPublic; counterId: string | null }>;
  logout(): Promise<void>;
  /** `takeover`: a supervisor confirmed taking a counter someone else holds. */
  counterSignIn(counterId: string, takeover?: boolean): Promise<CounterState>;
  /** call-next with a request id per press (a repeat gets the same reply); null when nobody waits. */
  callNext(counterId: string, requestId: string): Promise<Ticket | null>;
  /** The counter's own clerk asks the holder to give it back. */
  handBackRequest(counterId: string): Promise<CounterState>;
  /** The holder gives the counter back to the clerk who asked. */
  handBack(counterId: string): Promise<CounterState>;
  counterSignOut(counterId: string): Promise<CounterState>;
  counterView(counterId: string): Promise<CounterView>;
  /** call-next resolves null when nobody waits (204). */
  counterCommand(counterId: string, cmd: SimpleCounterCommand): Promise<Ticket | CounterState | null>;
  /** `missing`: what the visitor still has to bring (refused or accepted incomplete). */
  finish(counterId: string, outcome: Outcome, missing?: string[]): Promise<Ticket>;
  transfer(
    counterId: string,
    to: { toQueueId?: string; toCounterId?: string; note?: string; priority?: PriorityClass },
  ): Promise<Ticket>;
  park(counterId: string, note?: string): Promise<Ticket>;
  callTicket(counterId: string, ticketId: string, reason?: string): Promise<Ticket>;
  pause(counterId: string, reason: string): Promise<CounterState>;
}

const enc = encodeURIComponent;
/** The ticket's capability travels in a header, never in a URL (URLs end up in logs). */
const holder = (key?: string): Record<string, string> => (key ? { "x-ticket-key": key } : {});

/** Builds the client. No state besides the options. */
export function createApi(opts: ApiOptions = {}): Api {
  const base = opts.baseUrl ?? "";

  async function request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { ...extra };
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = opts.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError("NETWORK", 0, e instanceof Error ? e.message : "network");
    }
    if (res.status === 204) return null as T;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // a proxy's HTML error page: fall through to the status-based error
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
      const code = (err?.code as ClientErrorCode | undefined) ?? (res.status >= 500 || res.status === 0 ? "NETWORK" : "INTERNAL");
      throw new ApiError(code, res.status, err?.message ?? res.statusText);
    }
    return json as T;
  }

  const post = <T>(path: string, body: unknown = {}, key?: string) => request<T>("POST", path, body, holder(key));
  const c = (id: string) => `/api/counters/${enc(id)}`;

  return {
    request,
    hall: () => request("GET", "/api/hall"),
    state: () => request("GET", "/api/state"),
    issueTicket: (body) => post("/api/tickets", body),
    ticket: (id, key) => request("GET", `/api/tickets/${enc(id)}`, undefined, holder(key)),
    reprint: (id, kioskId, key, requestId) =>
      post(`/api/tickets/${enc(id)}/reprint`, { kioskId, requestId: requestId ?? newRequestId() }, key),
    reactivate: (id, key) => post(`/api/tickets/${enc(id)}/reactivate`, {}, key),
    cancel: (id, key) => post(`/api/tickets/${enc(id)}/cancel`, {}, key),
    rate: (id, score, key, detail) =>
      post(
        `/api/tickets/${enc(id)}/rating`,
        {
          score,
          ...(detail?.reasons?.length ? { reasons: detail.reasons } : {}),
          ...(detail?.comment ? { comment: detail.comment } : {}),
        },
        key,
      ),
    login: (username, password) => post("/api/auth/login", { username, password }),
    me: () => request("GET", "/api/auth/me"),
    logout: async () => {
      await post("/api/auth/logout");
    },
    counterSignIn: (id, takeover) => post(`${c(id)}/sign-in`, takeover ? { takeover: true } : {}),
    callNext: (id, requestId) => post(`${c(id)}/call-next`, { requestId }),
    handBackRequest: (id) => post(`${c(id)}/hand-back-request`),
    handBack: (id) => post(`${c(id)}/hand-back`),
    counterSignOut: (id) => post(`${c(id)}/sign-out`),
    counterView: (id) => request("GET", c(id)),
    counterCommand: (id, cmd) => post(`${c(id)}/${cmd}`),
    finish: (id, outcome, missing) => post(`${c(id)}/finish`, { outcome, ...(missing?.length ? { missing } : {}) }),
    transfer: (id, to) => post(`${c(id)}/transfer`, to),
    park: (id, note) => post(`${c(id)}/park`, note ? { note } : {}),
    callTicket: (id, ticketId, reason) => post(`${c(id)}/call/${enc(ticketId)}`, reason ? { reason } : {}),
    pause: (id, reason) => post(`${c(id)}/pause`, { reason }),
  };
}

/** `<img src>` of the hub's QR code for a text (usually an absolute URL). */
export function qrSvgUrl(text: string, baseUrl = ""): string {
  return `${baseUrl}/api/qr.svg?text=${encodeURIComponent(text)}`;
}

/** Makes a hub-relative link ("/m/t1") absolute for a QR code; absolute ones pass through. */
export function absoluteUrl(url: string, origin: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  return origin.replace(/\/+$/, "") + (url.startsWith("/") ? url : `/${url}`);
}
