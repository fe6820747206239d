/**
 * Socket.IO side of the alarms: `alarms:subscribe {view}` joins
 *   alarms:floor  (supervisors and admins, staff token) → every alarm with who acknowledged it;
 *   alarms:wall   (anyone: the data wall is a public screen) → the same alarms without names.
 * Each subscription gets `alarms:snapshot` (the active alarms), then `alarm:changed` deltas.
 * Access rules: ALARM_VIEW_ACCESS in http/access.ts.
 */
import type { Server } from "socket.io";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../contract/events.ts";
import type { Ack, ErrorCode } from "../contract/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { publicAlarm } from "./engine.ts";
import type { AlarmService } from "./service.ts";

const subscriptionSchema = z.discriminatedUnion("view", [
  z.strictObject({ view: z.literal("floor") }),
  z.strictObject({ view: z.literal("wall") }),
]);
export const ALARM_SUBSCRIPTION_VIEWS: readonly string[] = subscriptionSchema.options.map((o) => o.shape.view.value);
/** Who sees the floor: the roles that run the hall. */
export const FLOOR_ROLES: readonly string[] = ["supervisor", "admin"];

const FLOOR = "alarms:floor";
const WALL = "alarms:wall";

type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
const fail = (error: ErrorCode, message: string): Ack<never> => ({ ok: false, error, message });

export function attachAlarmSockets(
  io: HubIo,
  d: { tokens: TokenService; staff: StaffDirectory; alarms: AlarmService },
): () => void {
  io.on("connection", (socket) => {
    socket.on("alarms:subscribe", (raw: unknown, ack: unknown) => {
      const reply = typeof ack === "function" ? (ack as (a: Ack<{ room: string }>) => void) : () => {};
      const r = subscriptionSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", "bad subscription"));
      const snap = d.alarms.snapshot();
      if (r.data.view === "wall") {
        void socket.join(WALL);
        reply({ ok: true, data: { room: WALL } });
        socket.emit("alarms:snapshot", { at: snap.at, alarms: snap.alarms.map(publicAlarm) });
        return;
      }
      // The session is checked here, not only at the handshake: it may have ended since.
      const claims = socket.data.token ? d.tokens.verify(socket.data.token) : null;
      const staff = claims ? d.staff.byId(claims.sid) : undefined;
      if (!staff || staff.disabled) return reply(fail("UNAUTHENTICATED", "sign in first"));
      if (!FLOOR_ROLES.includes(staff.role)) return reply(fail("FORBIDDEN", "the floor is for supervisors and admins"));
      void socket.join(FLOOR);
      reply({ ok: true, data: { room: FLOOR } });
      socket.emit("alarms:snapshot", snap);
    });
  });
  const owner = {};
  d.alarms.bus.on(owner, "alarm.changed", (a) => {
    io.to(FLOOR).emit("alarm:changed", a);
    io.to(WALL).emit("alarm:changed", publicAlarm(a));
  });
  return () => d.alarms.bus.off(owner);
}
