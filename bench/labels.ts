/**
 * `labels`: the clerk's click on 寄出并打印面单 → the label's last byte (the cut) at the
 * label printer (issue 11 target: ≤ 300 ms, simulated printer). One hub in this process
 * (the simulated printer sits on its in-memory cable, as in the demo), the courier its
 * simulator. Latency = POST /api/postal/:caseNo/mail sent → the simulator's label event,
 * both on performance.now(). Baseline, same run: the same mailing at a window with no label
 * printer, timed to the reply (the waybill, the case's transaction, no printing). The two
 * are interleaved run by run; the verdict reads the median of the per-run p99s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startHub } from "../server/src/app.ts";
import type { Case } from "../server/src/contract/cases.ts";
import { type BenchResult, interleaved, ms, say, seriesRuns, showRatio, showSpread, summary } from "./lib.ts";

const PAIRS = Number(process.env.PAIRS ?? 5);
const PER_RUN = 30;
const TARGET_MS = 300;
const WITH_LABEL = "c43";
const WITHOUT = "c44";

export async function benchLabels(): Promise<BenchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), "onevisit-bench-labels-"));
  const hub = await startHub({ port: 0, host: "127.0.0.1", dataDir, adminPassword: "bench-admin", log: () => {} });
  let n = 0;
  const call = async <T>(method: string, path: string, body: unknown, token: string, key = true): Promise<T> => {
    const r = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        ...(key ? { "idempotency-key": `bench-${++n}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  try {
    const { token } = await call<{ token: string }>(
      "POST",
      "/api/auth/login",
      { username: "admin", password: "bench-admin" },
      "",
      false,
    );
    await call(
      "PUT",
      `/api/devices/label-${WITH_LABEL}`,
      {
        kind: "label",
        name: "面单打印机",
        transport: { type: "sim" },
        assignment: { kind: "counter", counterId: WITH_LABEL },
      },
      token,
      false,
    );
    const cat = hub.config.data.catalogue;
    const m = cat.matters.find((x) => x.promisedDays === 0 && x.materials.length > 0);
    if (!m) throw new Error("no 即办件 in the demo catalogue");
    const ready = async (): Promise<string> => {
      const a = await call<Case>(
        "POST",
        "/api/cases",
        {
          matterId: m.id,
          applicant: { name: "王小明", phone: "13912345678" },
          materials: m.materials.map((_, index) => ({ index, state: "received" })),
          outcome: "accepted",
        },
        token,
      );
      await call(
        "POST",
        `/api/cases/${a.caseNo}/transitions`,
        { action: "certificate_ready", expectedVersion: a.version },
        token,
      );
      await call(
        "PUT",
        `/api/cases/${a.caseNo}/postal`,
        {
          recipient: "王小明",
          phone: "13912345678",
          address: { province: "山东省", city: "德州市", county: "平原县", street: "龙门街道中心路12号" },
          paid: false,
        },
        token,
      );
      return a.caseNo;
    };
    const sim = hub.devices.simulators(`label-${WITH_LABEL}`)?.labelSim;
    if (!sim) throw new Error("no simulated label printer");
    const run = async (counterId: string, toLabel: boolean): Promise<number[]> => {
      const cases: string[] = [];
      for (let i = 0; i < PER_RUN; i++) cases.push(await ready());
      const out: number[] = [];
      for (const caseNo of cases) {
        const printed = toLabel
          ? new Promise<number>((resolve) => {
              const off = sim.onLabel(() => {
                off();
                resolve(performance.now());
              });
            })
          : undefined;
        const t0 = performance.now();
        const reply = await call<{ label: { status: string } }>("POST", `/api/postal/${caseNo}/mail`, { counterId }, token);
        const t1 = printed ? await printed : performance.now();
        if (toLabel && reply.label.status !== "printed") throw new Error(`label ${reply.label.status}`);
        out.push(t1 - t0);
      }
      return out;
    };
    say(`labels: ${PAIRS} interleaved pairs of ${PER_RUN} mailings (label printer at ${WITH_LABEL}, none at ${WITHOUT})`);
    const s = await interleaved(
      "labels",
      PAIRS,
      { a: () => run(WITH_LABEL, true), b: () => run(WITHOUT, false) },
      (xs) => summary(xs).p99,
    );
    const all = summary(s.a.flat());
    return {
      rows: [
        {
          bench: "labels",
          metric: "click → label at the printer, p99 per run",
          value: showSpread(s.figA),
          baseline: `mailing without a printer ${showSpread(s.figB)}`,
          target: `≤ ${TARGET_MS} ms`,
          pass: s.figA.median <= TARGET_MS,
        },
        {
          bench: "labels",
          metric: "label over no-label, per pair",
          value: showRatio(s.ratio),
          baseline: "—",
          target: "info",
        },
      ],
      notes: [
        `labels: ${PAIRS} interleaved pairs of ${PER_RUN} mailings each, one in-process hub with the simulated courier; click = POST /api/postal/:caseNo/mail (waybill, case transaction, label encode and print through the ESC/POS driver's status check); all ${all.n} labels: p50 ${ms(all.p50)}, p99 ${ms(all.p99)}, max ${ms(all.max)}. ${seriesRuns(s, { figure: "p99", a: "with label", b: "without" })}.`,
      ],
    };
  } finally {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
