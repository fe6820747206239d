/**
 * The silent majority of the `calls` benchmark, in their own (niced) process so their
 * packet decoding does not sit on the observers' event loop: `node --import tsx
 * bench/load-clients.ts <url> <hub|raw> <counters> <screens> <kiosks>`. Each client connects
 * with socket.io-client and joins the hall room (hub: the subscription a counter page,
 * call screen or kiosk makes; raw: `join`). Prints `{ "url": "ready" }` once all have joined.
 */
import { io, type Socket } from "socket.io-client";

const [url, mode, nCounters, nScreens, nKiosks] = process.argv.slice(2);
if (!url || (mode !== "hub" && mode !== "raw"))
  throw new Error("usage: load-clients.ts <url> <hub|raw> <counters> <screens> <kiosks>");
const subs: unknown[] = [];
for (let i = 0; i < Number(nCounters); i++) subs.push({ view: "counter", counterId: `c${101 + i}` });
for (let i = 0; i < Number(nScreens); i++) subs.push({ view: "hall" });
for (let i = 0; i < Number(nKiosks); i++) subs.push({ view: "screen", screenId: `kiosk-k${i + 1}` });

function join(sub: unknown): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = io(url as string, { transports: ["websocket"], reconnection: false, forceNew: true });
    const timer = setTimeout(() => rej(new Error("join timed out")), 30_000);
    s.once("connect_error", rej);
    s.once("connect", () => {
      s.emit(mode === "hub" ? "subscribe" : "join", sub, () => {
        clearTimeout(timer);
        res(s);
      });
    });
  });
}

const sockets: Socket[] = [];
for (let i = 0; i < subs.length; i += 20) sockets.push(...(await Promise.all(subs.slice(i, i + 20).map(join))));
process.stdout.write(`${JSON.stringify({ url: "ready" })}\n`);
process.once("SIGTERM", () => {
  for (const s of sockets) s.disconnect();
  process.exit(0);
});
