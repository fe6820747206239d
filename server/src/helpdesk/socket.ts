/**
 * Socket.IO side of the help desk: `helpdesk:subscribe {view: "desk"}` (staff who run the
 * desk) joins the ledger room, the helper's own room and, for supervisors and admins, the
 * supervisors' room. Rooms:
 *   helpdesk:ledger            → `helpdesk:updated` (a masked ledger row)
 *   helpdesk:staff:<staffId>   → `helpdesk:reminder` (the owner's stalled help cases)
 *   helpdesk:supervisors       → `helpdesk:reminder` at level 2 (escalated)
 */
import type { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import type { Ack, ErrorCode } from "../contract/errors.ts";
import type { Bus } from "../hall/bus.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { HelpBusEvents } from "./events.ts";
import { HELP_ROLES } from "./service.ts";

const subscriptionSchema = z.discriminatedUnion("view", [z.strictObject({ view: z.literal("desk") })]);
export const HELPDESK_SUBSCRIPTION_VIEWS: readonly string[] = subscriptionSchema.options.map((o) => o.shape.view.value);

export interface HelpSocketDeps {
  tokens: TokenService;
  staff: StaffDirectory;
  bus: Bus<HelpBusEvents>;
}

type Reply = (a: Ack<{ rooms: string[] }>) => void;
const fail = (error: ErrorCode, message: string): Ack<never> => ({ ok: false, error, message });

type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export function attachHelpSockets(io: HubIo, d: HelpSocketDeps): () => void {
  io.on("connection", (socket) => {
    socket.on("helpdesk:subscribe", async (raw: unknown, ack: unknown) => {
      const reply: Reply = typeof ack === "function" ? (ack as Reply) : () => {};
      const r = subscriptionSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", "bad subscription"));
      const token = socket.data?.token as string | undefined;
      const claims = token ? d.tokens.verify(token) : null;
      const staff = claims ? d.staff.byId(claims.sid) : undefined;
      if (!staff) return reply(fail("UNAUTHENTICATED", "sign in first"));
      if (!(HELP_ROLES as readonly string[]).includes(staff.role))
        return reply(fail("FORBIDDEN", "the help desk is run by clerks and supervisors"));
      const rooms = ["helpdesk:ledger", `helpdesk:staff:${staff.id}`];
      if (staff.role !== "clerk") rooms.push("helpdesk:supervisors");
      await socket.join(rooms);
      return reply({ ok: true, data: { rooms } });
    });
  });
  const owner = {};
  d.bus.on(owner, "help.changed", (row) => io.to("helpdesk:ledger").emit("helpdesk:updated", row));
  d.bus.on(owner, "help.reminded", (rem) => {
    const to = io.to(`helpdesk:staff:${rem.ownerId}`);
    (rem.level === 2 ? to.to("helpdesk:supervisors") : to).emit("helpdesk:reminder", rem);
  });
  return () => d.bus.off(owner);
}
