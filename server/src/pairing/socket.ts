import type { Ack } from "../contract/errors.ts";
import type { SocketData, Subscription } from "../contract/events.ts";
import type { HubIo } from "../realtime/server.ts";
import type { Pairings } from "./engine.ts";

/** Screen ids of kiosk rooms: `kiosk-<kioskId>` receives that kiosk's card readings and scans. */
const KIOSK_SCREEN = /^kiosk-(.+)$/;
/** `terminal-<terminalId>` receives that terminal's card readings and scans (issue 12). */
const TERMINAL_SCREEN = /^terminal-(.+)$/;

/**
 * Device identity on Socket.IO: the handshake may carry `auth.deviceToken`; a socket whose
 * pairing is revoked is cut at once, and a recovered session (which skips middleware) of
 * a revoked device is cut on arrival.
 */
export function attachDeviceSockets(io: HubIo, pairings: Pairings): void {
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { deviceToken?: unknown } | undefined)?.deviceToken;
    if (typeof token === "string") {
      const c = pairings.verify(token);
      if (c) socket.data.device = c;
    }
    next();
  });
  io.on("connection", (socket) => {
    const d = socket.data.device;
    if (d && !pairings.valid(d.pid)) socket.disconnect(true);
  });
  pairings.on("revoked", (c) => {
    for (const s of io.of("/").sockets.values()) if (s.data.device?.pid === c.pid) s.disconnect(true);
  });
}

/**
 * Who may join which view. Only the kiosk paired as `k` joins `screen:kiosk-k` (it carries
 * ID card readings with their issuing tokens); every other view stays open read-only.
 */
export function subscriptionGuard(
  pairings: Pairings,
): (data: SocketData, sub: Subscription) => Extract<Ack<never>, { ok: false }> | null {
  return (data, sub) => {
    if (sub.view !== "screen") return null;
    const t = TERMINAL_SCREEN.exec(sub.screenId);
    if (t) {
      const d = data.device;
      if (d && d.role === "terminal" && d.id === t[1] && pairings.valid(d.pid)) return null;
      return { ok: false, error: "FORBIDDEN", message: `only the terminal paired as ${t[1]} may open this screen` };
    }
    const m = KIOSK_SCREEN.exec(sub.screenId);
    if (!m) return null;
    const d = data.device;
    if (d && d.role === "kiosk" && d.id === m[1] && pairings.valid(d.pid)) return null;
    return { ok: false, error: "FORBIDDEN", message: `only the kiosk paired as ${m[1]} may open this screen` };
  };
}
