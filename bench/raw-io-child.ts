/**
 * Baseline for `calls`: a plain Socket.IO server (no hub) in its own process. Clients `join`
 * the hall room; every `cmd` a client emits is broadcast to that room as `called` with the
 * same payload, and acknowledged — the least any hub can do to get a call onto the screens.
 * Prints `{ "url": ... }` when it listens on 127.0.0.1. On SIGUSR2 it prints how long its
 * broadcasts took inside Socket.IO's emit since the last SIGUSR2 (JSON, ms) and starts again:
 * what the hub's own broadcasts (onevisit_broadcast_seconds) compare with.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Server } from "socket.io";

let emits: number[] = [];
process.on("SIGUSR2", () => {
  const sorted = [...emits].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  process.stdout.write(`${JSON.stringify({ emits: sorted.length, emitP50: q(0.5), emitP99: q(0.99) })}\n`);
  emits = [];
});

const http = createServer();
const io = new Server(http, { serveClient: false });
io.on("connection", (socket) => {
  socket.on("join", (_sub: unknown, ack?: (r: unknown) => void) => {
    void socket.join("hall");
    if (typeof ack === "function") ack({ ok: true });
  });
  socket.on("cmd", (payload: unknown, ack?: (r: unknown) => void) => {
    const t0 = performance.now();
    io.to("hall").emit("called", payload);
    emits.push(performance.now() - t0);
    if (typeof ack === "function") ack({ ok: true });
  });
});
http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` })}\n`);
});
