/**
 * The post's store work (the waybill rows of migration 3, the ledger's queries, the courier
 * key, the pending labels) on both case-store engines: embedded SQLite and a real
 * PostgreSQL. The label printer is the real driver on a simulated cable; the courier its
 * simulator with lost answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabelPrinter } from "../../../hardware/label/driver.ts";
import { LabelSimulator } from "../../../hardware/label/simulator.ts";
import type { DeviceError } from "../../../hardware/transport/link.ts";
import { createMemoryLinkPair } from "../../../hardware/transport/memory.ts";
import type { CaseBusEvents } from "../../../server/src/cases/events.ts";
import { CaseService } from "../../../server/src/cases/service.ts";
import { CaseStore } from "../../../server/src/cases/store.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { PrintResult } from "../../../server/src/contract/events.ts";
import { type CourierAdapter, CourierSimulator } from "../../../server/src/delivery/courier.ts";
import { type DeliveryDeps, DeliveryService } from "../../../server/src/delivery/service.ts";
import { Bus } from "../../../server/src/hall/bus.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import type { StaffRecord } from "../../../server/src/store/config.ts";
import { ENGINES } from "../cases/engines.ts";
import { barcodes } from "../../hardware/label/barcodes.ts";
import { decodeEscPos } from "../../hardware/printer/npos-decode.ts";
import { waitFor } from "../../hardware/printer/suite.ts";

const T0 = Date.parse("2026-12-03T02:00:00Z");
const sup: StaffRecord = { id: "s-sup", username: "sup", name: "王丽", role: "supervisor", salt: "", hash: "" };
const address = { province: "山东省", city: "德州市", county: "平原县", street: "龙门街道中心路12号" };

describe.each(ENGINES)("postal waybills on $name", (engine) => {
  let loc: Awaited<ReturnType<typeof engine.fresh>>;
  let store: CaseStore;
  let cases: CaseService;
  let post: DeliveryService;
  let courier: CourierSimulator;
  let sim: LabelSimulator;
  let printer: LabelPrinter;
  let catalogue: Catalogue;
  let deps: () => DeliveryDeps;
  let n = 0;
  const key = () => `k-${n++}`;

  beforeAll(async () => {
    loc = await engine.fresh();
    store = await CaseStore.open(
      { dataDir: loc.dataDir, ...(loc.databaseUrl ? { databaseUrl: loc.databaseUrl, schema: loc.schema as string } : {}) },
      T0,
    );
    catalogue = demoCatalogue();
    const bus = new Bus<CaseBusEvents>();
    cases = new CaseService({
      store,
      catalogue: () => catalogue,
      clock: () => T0,
      idSalt: "salt",
      ticket: () => undefined,
      counterHolder: () => undefined,
      bus,
    });
    const pair = createMemoryLinkPair();
    sim = new LabelSimulator({ link: pair.device, plug: pair });
    await pair.device.open();
    printer = new LabelPrinter({ id: "label-c43", link: pair.host, pollIntervalMs: 0 });
    await printer.start();
    courier = new CourierSimulator(() => T0);
    deps = () => ({
      store,
      catalogue: () => catalogue,
      clock: () => T0,
      idSalt: "salt",
      courierSecret: "secret",
      courier,
      counterHolder: () => undefined,
      printLabel: async (_counterId, jobId, job): Promise<PrintResult> => {
        try {
          await printer.printLabel(jobId, job);
          return { status: "printed", printerId: printer.id };
        } catch (err) {
          return {
            status: "failed",
            printerId: printer.id,
            error: (err as DeviceError).code === "PAPER_OUT" ? "PAPER_OUT" : "ERROR",
          };
        }
      },
      bus,
      log: () => {},
    });
    post = new DeliveryService(deps());
  });
  afterAll(async () => {
    await printer?.close();
    await store?.close();
    await loc?.drop();
  });

  async function ready(): Promise<string> {
    const m = catalogue.matters.find((x) => x.promisedDays === 0 && x.materials.length > 0) as Catalogue["matters"][number];
    const c = await cases.accept(
      sup,
      {
        matterId: m.id,
        applicant: { name: "王小明", phone: "13912345678" },
        materials: m.materials.map((_, index) => ({ index, state: "received" as const })),
        outcome: "accepted",
      },
      key(),
    );
    const r = await cases.transition(sup, c.caseNo, { action: "certificate_ready", expectedVersion: c.version }, key());
    await post.setPostal(sup, r.caseNo, { recipient: "王小明", phone: "13912345678", address, paid: false }, key());
    return r.caseNo;
  }

  it("one waybill through lost answers; a pending label prints when the printer is back; the day's ledger", async () => {
    const a = await ready();
    courier.timeouts(2);
    const first = await post.mail(sup, a, "c43", key());
    expect([...courier.parcels.values()].filter((p) => p.caseNo === a)).toHaveLength(1);
    await waitFor(() => sim.labels.length === 1, 2000, "label");
    expect(barcodes(decodeEscPos(sim.labels[0] as Buffer))).toEqual([first.waybillNo]);

    const b = await ready();
    sim.paperOut(true);
    const second = await post.mail(sup, b, "c43", key());
    expect(second.label).toMatchObject({ status: "pending", error: "PAPER_OUT" });
    sim.paperOut(false);
    expect(await post.printerBack("c43")).toBe(1);
    await waitFor(() => sim.labels.length === 2, 2000, "pending label");
    expect(barcodes(decodeEscPos(sim.labels[1] as Buffer))).toEqual([second.waybillNo]);
    expect(await post.printerBack("c43")).toBe(0);

    expect(await post.courierNews({ eventId: "e1", waybillNo: first.waybillNo, status: "delivered", at: T0 })).toBe("applied");
    expect(await post.courierNews({ eventId: "e1", waybillNo: first.waybillNo, status: "delivered", at: T0 })).toBe("duplicate");
    expect(await post.courierNews({ eventId: "e2", waybillNo: "NOPE0000", status: "delivered", at: T0 })).toBe("unknown");
    const l = await post.ledger("2026-12-03");
    expect(l.rows.map((r) => [r.caseNo, r.waybillNo, r.labelPrinted, r.status])).toEqual([
      [a, first.waybillNo, true, "delivered"],
      [b, second.waybillNo, true, "sent"],
    ]);
    expect(l.totals).toMatchObject({ mailed: 2, free: 2, delivered: 1 });
    expect((await post.ledger("2026-12-02")).rows).toEqual([]);
  });

  it("a self-print hands the certificate over once: collected by the applicant at the terminal, a second call changes nothing", async () => {
    const c = await ready();
    expect(await post.selfPrinted(c, "t1", T0)).toBe("collected");
    const v = await store.get(c);
    expect(v?.status).toBe("collected");
    expect(v?.collection).toMatchObject({ kind: "applicant", via: "self_print", terminalId: "t1", at: T0 });
    expect(v?.collection?.counterId).toBeUndefined();
    // The terminal healing a record it thinks missing, or a retry: nothing twice.
    expect(await post.selfPrinted(c, "t1", T0)).toBe("unchanged");
    const again = await store.get(c);
    expect(again?.version).toBe(v?.version);
    expect(again?.transitions.filter((x) => x.action === "collect")).toHaveLength(1);
    await expect(post.selfPrinted("371426-20261203-99999", "t1", T0)).rejects.toMatchObject({ code: "UNKNOWN_CASE" });
  });

  it("a courier that hangs is timed out and asked again under the same key: one parcel", async () => {
    let hung = 0;
    const hanging: CourierAdapter = {
      name: courier.name,
      assign(req) {
        // The first call is made at the courier but its answer never comes back.
        if (hung++ === 0) {
          void courier.assign(req);
          return new Promise(() => {});
        }
        return courier.assign(req);
      },
      track: (w) => courier.track(w),
      cancel: (w) => courier.cancel(w),
    };
    const slow = new DeliveryService({ ...deps(), courier: hanging, courierTimeoutMs: 50 });
    const c = await ready();
    const r = await slow.mail(sup, c, "c43", key());
    expect(hung).toBe(2);
    expect([...courier.parcels.values()].filter((p) => p.caseNo === c).map((p) => p.waybillNo)).toEqual([r.waybillNo]);
  });
});
