/**
 * Socket.IO side of the certificate window: `certificates:subscribe { counterId }` joins the
 * window's room (its clerk, supervisors, admins), where the window's scanner and ID card
 * reader lookups arrive as `certificates:found`. Progress pages and the wall follow cases
 * through the case socket (the case bus), not here.
 */
import type { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import type { WindowLookup } from "../contract/delivery.ts";
import type { Ack, ErrorCode } from "../contract/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { DeliveryService } from "./service.ts";

const subscriptionSchema = z.strictObject({ counterId: z.string().min(1).max(64) });

export interface DeliverySocketDeps {
  delivery: DeliveryService;
  tokens: TokenService;
  staff: StaffDirectory;
  counterHolder: (counterId: string) => string | undefined;
}

const fail = (error: ErrorCode, message: string): Ack<never> => ({ ok: false, error, message });

type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export function attachDeliverySockets(io: HubIo, d: DeliverySocketDeps): () => void {
  io.on("connection", (socket) => {
    socket.on("certificates:subscribe", async (raw: unknown, ack: unknown) => {
      const reply = typeof ack === "function" ? (ack as (a: Ack<{ room: string }>) => void) : () => {};
      const r = subscriptionSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", "bad subscription"));
      const token = socket.data?.token as string | undefined;
      const claims = token ? d.tokens.verify(token) : null;
      const staff = claims ? d.staff.byId(claims.sid) : undefined;
      if (!staff) return reply(fail("UNAUTHENTICATED", "sign in first"));
      const privileged = staff.role === "supervisor" || staff.role === "admin";
      if (!privileged && (staff.role === "approver" || d.counterHolder(r.data.counterId) !== staff.id))
        return reply(fail("FORBIDDEN", "follow the window you hold"));
      const room = `certwindow:${r.data.counterId}`;
      await socket.join(room);
      reply({ ok: true, data: { room } });
    });
  });
  const onFound = (l: WindowLookup) => {
    io.to(`certwindow:${l.counterId}`).emit("certificates:found", l);
  };
  d.delivery.on("found", onFound);
  return () => {
    d.delivery.off("found", onFound);
  };
}
