/**
 * The kiosks' ticket printers of the `printer` bench, out of the hub's process:
 * `node --import tsx bench/printer-sims-child.ts <n>`. Starts n TCP servers on 127.0.0.1
 * (ports chosen by the OS), each a PrinterSimulator behind a raw socket, as a network
 * printer's port 9100 is. Prints `{ "url": "tcp://127.0.0.1", "ports": [...] }`, then one
 * JSON line per ticket: `{ "k": <printer index>, "cutAt": "<ns>", "qr": [...] }`. `cutAt`
 * is process.hrtime.bigint() when the cut command's bytes arrived, before the simulator
 * decodes the ticket: CLOCK_MONOTONIC, the same clock in every process of the machine, so
 * the bench compares it with its own send time.
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { type PrintedTicket, PrinterSimulator } from "../hardware/printer/simulator.ts";
import { type ByteLink, DeviceError, type LinkState } from "../hardware/transport/link.ts";

/** The printer's end of the cable: whichever socket the hub has connected last. */
class AcceptedLink extends EventEmitter implements ByteLink {
  readonly duplex = true;
  state: LinkState = "closed";
  #socket: net.Socket | undefined;

  constructor(readonly id: string) {
    super();
  }

  attach(socket: net.Socket): void {
    this.#socket?.destroy();
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.emit("data", chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
  }

  async open(): Promise<void> {
    this.state = "open";
  }

  write(data: Uint8Array): Promise<void> {
    const s = this.#socket;
    if (!s) return Promise.reject(new DeviceError("OFFLINE"));
    return new Promise((res, rej) => s.write(data, (err) => (err ? rej(err) : res())));
  }

  async close(): Promise<void> {
    this.#socket?.destroy();
    this.state = "closed";
  }
}

const n = Number(process.argv[2] ?? 20);
const ports: number[] = [];
for (let k = 0; k < n; k++) {
  const link = new AcceptedLink(`bench-printer-${k + 1}`);
  let cutAt = 0n;
  // Before the simulator's own listener: the arrival of the cut, not the end of decoding.
  link.on("data", (chunk: Buffer) => {
    for (let i = 0; i + 1 < chunk.length; i++) if (chunk[i] === 0x1d && chunk[i + 1] === 0x56) cutAt = process.hrtime.bigint();
  });
  const sim = new PrinterSimulator({ link });
  await sim.start();
  sim.on("ticket", (t: PrintedTicket) => {
    process.stdout.write(`${JSON.stringify({ k, cutAt: String(cutAt), qr: t.qr })}\n`);
  });
  const server = net.createServer((socket) => link.attach(socket));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(`${JSON.stringify({ url: "tcp://127.0.0.1", ports })}\n`);
