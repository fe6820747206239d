/**
 * The real hub in its own process for the payment crash test:
 * `node --import tsx test/server/payments/hub-child.ts <dataDir> <clockOffsetMs>`.
 * Prints one JSON line `{ url, created? }` when it listens (the accounts only on the first
 * start of the data folder). Its clock is the real one plus the offset (the test passes the
 * same offset to every start, so a restarted hub goes on where the killed one was).
 * Reads JSON lines on stdin to act as terminal t1's simulated devices, which only exist in
 * this process: `{ "card": { name, idNumber } }` places an ID card on its reader,
 * `{ "removeCard": true }` takes it away; `{ "pos": { "present": outcome } }` presents a bank
 * card at its POS (pos-t1), `{ "pos": { "fault": "hang" | "silent" | "none" } }` injects a fault, `{ "pos": { "stageMs": n } }`
 * slows each stage that starts from then on.
 */
import { createInterface } from "node:readline";
import type { PosCardOutcome, PosFault } from "../../../hardware/pos/simulator.ts";
import { startHub } from "../../../server/src/app.ts";

const dataDir = process.argv[2];
const offset = Number(process.argv[3] ?? 0);
if (!dataDir) throw new Error("usage: hub-child.ts <dataDir> <clockOffsetMs>");
const hub = await startHub({
  port: 0,
  host: "127.0.0.1",
  dataDir,
  adminPassword: "test-admin-pw",
  clock: () => Date.now() + offset,
  log: (l) => process.stderr.write(`${l}\n`),
  espeakPath: "/nonexistent/espeak-ng",
  limits: {
    perKiosk: { points: 1_000_000, durationSec: 1 },
    perAddress: { points: 1_000_000, durationSec: 1 },
    pairingRequests: { points: 1_000_000, durationSec: 1 },
    pairingClaims: { points: 1_000_000, durationSec: 1 },
  },
});
process.stdout.write(`${JSON.stringify({ url: hub.url, ...(hub.created ? { created: hub.created } : {}) })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line) as {
    card?: { name: string; idNumber: string };
    removeCard?: boolean;
    pos?: { present?: PosCardOutcome; fault?: PosFault; stageMs?: number };
  };
  const pos = hub.devices.simulators("pos-t1")?.posSim;
  if (m.pos?.fault) pos?.injectFault(m.pos.fault);
  if (m.pos?.stageMs) pos?.setStageMs(m.pos.stageMs);
  if (m.pos?.present) pos?.presentCard(m.pos.present);
  const sim = hub.devices.simulators("idreader-t1")?.idSim;
  if (m.card)
    sim?.placeCard({
      name: m.card.name,
      sexCode: "1",
      nationCode: "01",
      birthDate: m.card.idNumber.slice(6, 14),
      address: "山东省德州市平原县龙门街道",
      idNumber: m.card.idNumber,
      issuer: "平原县公安局",
      validFrom: "20200101",
      validTo: "20400101",
    });
  if (m.removeCard) sim?.removeCard();
}
