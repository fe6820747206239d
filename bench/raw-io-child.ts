/**
 * Baseline for `calls`: a plain Socket.IO server (no hub) in its own process. Clients `join`
 * the hall room; every `cmd` a client emits is broadcast to that room as `called` with the
 * same payload, and acknowledged — the least any hub can do to get a call onto the screens.
 * Prints `{ "url": ... }` when it listens on 127.0.0.1.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { serveClient: false });
io.on("connection", (socket) => {
  socket.on("join", (_sub: unknown, ack?: (r: unknown) => void) => {
    void socket.join("hall");
    if (typeof ack === "function") ack({ ok: true });
  });
  socket.on("cmd", (payload: unknown, ack?: (r: unknown) => void) => {
    io.to("hall").emit("called", payload);
    if (typeof ack === "function") ack({ ok: true });
  });
});
http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` })}\n`);
});
