/**
 * The case engine after approval (issue 11), as properties over random sequences of the
 * window's and the post's commands: a certificate is handed over at most once; mailed at
 * most once; never both, unless the post brought it back; a second hand-over always
 * answers CERTIFICATE_ALREADY_COLLECTED or ALREADY_MAILED; courier news never goes back
 * (repeated or late news changes nothing); the input is never modified; and replaying the
 * events gives the live case.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHINA_CALENDAR } from "../../../server/src/cases/china-calendar.ts";
import { type CaseEnv, apply, decide } from "../../../server/src/cases/engine.ts";
import type { CaseCommand, CaseEvent, CaseRecord, StoredCollection } from "../../../server/src/cases/model.ts";

const T0 = Date.parse("2026-12-03T02:00:00Z");
const by = { staffId: "s-1", name: "朱红", role: "clerk" };
const env = (now: number): CaseEnv => ({ now, timeZone: "Asia/Shanghai", calendar: CHINA_CALENDAR });

function ready(): { state: CaseRecord; events: CaseEvent[] } {
  const a = decide(
    undefined,
    {
      type: "accept",
      caseNo: "371426-20261203-00001",
      matter: { id: "m", name: "医保参保登记", nameEn: "x", departmentId: "d", materials: ["身份证"], promisedDays: 0 },
      outcome: "accepted",
      materials: [{ index: 0, state: "received" }],
      applicant: { name: "王小明", phone: "13912345678", idHash: "h-app", idMasked: "3714**********1234", idLast4: "1234" },
      siteId: "pingyuan",
      by,
    },
    env(T0),
  );
  if ("error" in a) throw new Error(a.message);
  const r = decide(a.state, { type: "transition", action: "certificate_ready", expectedVersion: a.state.version, by }, env(T0));
  if ("error" in r) throw new Error(r.message);
  return { state: r.state, events: [...a.events, ...r.events] };
}

const collection = (kind: "applicant" | "agent"): StoredCollection => ({
  kind,
  name: kind === "agent" ? "李四" : "王小明",
  idHash: kind === "agent" ? "h-agent" : "h-app",
  idMasked: "3714**********5678",
  at: T0,
  counterId: "c43",
  counterNumber: 43,
  by,
});

const stepArb = fc.oneof(
  fc.record({ t: fc.constant("collect" as const), kind: fc.constantFrom("applicant", "agent" as const), stale: fc.boolean() }),
  fc.record({ t: fc.constant("mail" as const), stale: fc.boolean() }),
  fc.record({ t: fc.constant("postal" as const) }),
  fc.record({ t: fc.constant("news" as const), status: fc.constantFrom("in_transit", "delivered", "returned" as const) }),
);

const RANK = { requested: 0, sent: 1, in_transit: 2, delivered: 3, returned: 3 } as const;

describe("case engine after approval: window and post", () => {
  it("handed over at most once, mailed at most once, news never goes back; replay equals live", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        const first = ready();
        let live = first.state;
        const log = [...first.events];
        let waybills = 0;
        for (const [i, s] of steps.entries()) {
          const before = structuredClone(live);
          const now = T0 + (i + 1) * 60_000;
          let cmd: CaseCommand;
          if (s.t === "collect")
            cmd = {
              type: "transition",
              action: "collect",
              expectedVersion: s.stale ? live.version - 1 : live.version,
              collection: collection(s.kind),
              by,
            };
          else if (s.t === "mail")
            cmd = {
              type: "transition",
              action: "mail",
              expectedVersion: s.stale ? live.version - 1 : live.version,
              trackingNo: `EA${String(++waybills).padStart(9, "0")}CN`,
              courier: "EMS",
              by,
            };
          else if (s.t === "postal")
            cmd = {
              type: "set_postal",
              postal: {
                recipient: "王小明",
                phone: "13912345678",
                address: { province: "山东省", city: "德州市", county: "平原县", street: "龙门街道中心路12号" },
                paid: false,
                requestedBy: "staff",
              },
            };
          else cmd = { type: "postal_status", status: s.status, courier: "EMS" };
          const r = decide(live, cmd, env(now));
          expect(live).toEqual(before);
          const handed =
            before.status === "collected"
              ? "CERTIFICATE_ALREADY_COLLECTED"
              : before.status === "delivered" || (before.status === "mailed" && before.postal?.status !== "returned")
                ? "ALREADY_MAILED"
                : undefined;
          if ((s.t === "collect" || s.t === "mail" || s.t === "postal") && handed) expect(r).toMatchObject({ error: handed });
          if ("error" in r) continue;
          if (s.t === "news" && before.postal) {
            // News never moves the parcel back, and repeated news is no event at all.
            if (RANK[s.status] <= RANK[before.postal.status]) expect(r.events).toEqual([]);
            expect(RANK[r.state.postal?.status ?? "requested"]).toBeGreaterThanOrEqual(RANK[before.postal.status]);
          }
          if (r.events.length) expect(r.state.version).toBe(before.version + r.events.length);
          log.push(...r.events);
          live = r.state;
        }
        const actions = live.transitions.map((t) => t.action);
        expect(actions.filter((a) => a === "collect").length).toBeLessThanOrEqual(1);
        expect(actions.filter((a) => a === "mail").length).toBeLessThanOrEqual(1);
        // Both only when the parcel came back and was then collected at the window.
        if (actions.includes("collect") && actions.includes("mail")) expect(live.postal?.status).toBe("returned");
        if (live.status === "collected") expect(live.collection).toBeDefined();
        let replayed: CaseRecord | undefined;
        for (const e of log) replayed = apply(replayed, e);
        expect(replayed).toEqual(live);
      }),
      { numRuns: 500 },
    );
  });

  it("collect needs the collector; mail of a case with an address needs the waybill", () => {
    const { state } = ready();
    expect(decide(state, { type: "transition", action: "collect", expectedVersion: state.version, by }, env(T0))).toMatchObject({
      error: "VALIDATION_FAILED",
    });
    const p = decide(
      state,
      {
        type: "set_postal",
        postal: {
          recipient: "王小明",
          phone: "13912345678",
          address: { province: "山东省", city: "德州市", county: "平原县", street: "龙门街道中心路12号" },
          paid: true,
          requestedBy: "applicant",
        },
      },
      env(T0),
    );
    if ("error" in p) throw new Error(p.message);
    expect(p.state.postal).toMatchObject({ status: "requested", requestedAt: T0, paid: true });
    expect(decide(p.state, { type: "transition", action: "mail", expectedVersion: p.state.version, by }, env(T0))).toMatchObject({
      error: "VALIDATION_FAILED",
    });
    expect(decide(p.state, { type: "postal_status", status: "delivered", courier: "EMS" }, env(T0))).toMatchObject({
      error: "ILLEGAL_TRANSITION",
    });
  });
});
