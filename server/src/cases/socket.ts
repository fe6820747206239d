/**
 * Socket.IO side of cases: `cases:subscribe` joins the back office's department rooms
 * (staff) or one case's public progress room (case number + check digits), and the bus's
 * case events go out to those rooms. Rooms:
 *   cases:all, cases:dept:<departmentId>  → `case:updated` (staff view)
 *   case:<caseNo>                          → `case:progress` (public view)
 *   hall                                   → `cases:stats` (at most once a second)
 */
import type { Server } from "socket.io";
import { z } from "zod";
import type { Case } from "../contract/cases.ts";
import type { Ack, ErrorCode } from "../contract/errors.ts";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { Bus } from "../hall/bus.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { CaseBusEvents } from "./events.ts";
import { CASE_NO, type CaseService } from "./service.ts";

const subscriptionSchema = z.discriminatedUnion("view", [
  z.strictObject({ view: z.literal("office"), departmentId: z.string().min(1).max(64).optional() }),
  z.strictObject({ view: z.literal("case"), caseNo: z.string().regex(CASE_NO), check: z.string().regex(/^[0-9Xx]{4}$/) }),
]);
export const CASE_SUBSCRIPTION_VIEWS: readonly string[] = subscriptionSchema.options.map((o) => o.shape.view.value);

/** Public progress rooms a socket may hold at once (each one is a check of four digits). */
const MAX_CASE_ROOMS = 5;

export interface CaseSocketDeps {
  cases: CaseService;
  tokens: TokenService;
  staff: StaffDirectory;
  bus: Bus<CaseBusEvents>;
  log: (line: string) => void;
}

type Reply = (a: Ack<{ room: string }>) => void;
const fail = (error: ErrorCode, message: string): Ack<never> => ({ ok: false, error, message });

/** The hub's typed Socket.IO server: the case events are in the contract's maps. */
type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export function attachCaseSockets(io: HubIo, d: CaseSocketDeps): () => void {
  io.on("connection", (socket) => {
    socket.on("cases:subscribe", async (raw: unknown, ack: unknown) => {
      const reply: Reply = typeof ack === "function" ? (ack as Reply) : () => {};
      const r = subscriptionSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", "bad subscription"));
      const sub = r.data;
      if (sub.view === "office") {
        const token = socket.data?.token as string | undefined;
        const claims = token ? d.tokens.verify(token) : null;
        const staff = claims ? d.staff.byId(claims.sid) : undefined;
        if (!staff) return reply(fail("UNAUTHENTICATED", "sign in first"));
        let dept = sub.departmentId;
        if (staff.role === "approver") {
          if (dept && dept !== staff.departmentId) return reply(fail("FORBIDDEN", "approvers follow their own department"));
          dept = staff.departmentId;
        }
        const room = dept ? `cases:dept:${dept}` : "cases:all";
        await socket.join(room);
        return reply({ ok: true, data: { room } });
      }
      const held = [...socket.rooms].filter((x) => x.startsWith("case:"));
      if (held.length >= MAX_CASE_ROOMS && !held.includes(`case:${sub.caseNo}`))
        return reply(fail("TOO_MANY_SUBSCRIPTIONS", `at most ${MAX_CASE_ROOMS} cases per connection`));
      try {
        const view = await d.cases.publicCase(sub.caseNo, sub.check);
        const room = `case:${sub.caseNo}`;
        await socket.join(room);
        reply({ ok: true, data: { room } });
        socket.emit("case:progress", view);
      } catch {
        reply(fail("UNKNOWN_CASE", "no such case"));
      }
    });
  });

  let statsTimer: NodeJS.Timeout | undefined;
  const owner = {};
  const publish = (c: Case) => {
    io.to("cases:all").to(`cases:dept:${c.departmentId}`).emit("case:updated", c);
    // A read per write only when a progress page watches the case (a round trip on PostgreSQL).
    if (io.sockets.adapter.rooms.has(`case:${c.caseNo}`))
      void d.cases.publicOf(c.caseNo).then(
        (p) => p && io.to(`case:${c.caseNo}`).emit("case:progress", p),
        (err: Error) => d.log(`cases: progress of a case: ${err.message}`),
      );
    // The wall's figures: one query a second at most, however busy the counters are.
    statsTimer ??= setTimeout(() => {
      statsTimer = undefined;
      d.cases.stats().then(
        (s) => io.to("hall").emit("cases:stats", s),
        (err: Error) => d.log(`cases: stats: ${err.message}`),
      );
    }, 1000);
  };
  d.bus.on(owner, "case.accepted", publish);
  d.bus.on(owner, "case.transitioned", (c) => publish(c));
  d.bus.on(owner, "case.updated", publish);
  return () => {
    d.bus.off(owner);
    if (statsTimer) clearTimeout(statsTimer);
  };
}
