/**
 * Issue 8.1 and 8.13 end to end: a double press of call-next is one call (REST and socket,
 * concurrent or with the same request id), a called ticket is never finished by a call,
 * and the takeover flow (confirm, ask back, hand back, release of a holder who left).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CounterView, HallSnapshot, IssuedTicket } from "../../../server/src/contract/events.ts";
import type { CounterState, Ticket } from "../../../server/src/contract/tickets.ts";
import { connected, expectRejected, startTestHub, type TestHub } from "../../helpers/hub.ts";

let t: TestHub;
let clerk: string;
const C = "c01";

const post = <T = Ticket>(path: string, token: string, body?: unknown) => t.api<T>("POST", path, body, token);
const view = async (token: string, id = C) => (await t.api<CounterView>("GET", `/api/counters/${id}`, undefined, token)).body;

/** The error code of a POST that must be refused. */
async function refused(path: string, token: string): Promise<string | undefined> {
  return (await t.api<{ error?: { code: string } }>("POST", path, {}, token)).body.error?.code;
}

async function issue(): Promise<IssuedTicket> {
  const r = await t.issue({ matterId: "m-001" });
  expect(r.status).toBe(201);
  return r.body;
}

/** c01 idle with nothing waiting in its lines. */
async function reset(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const v = await view(clerk);
    if (v.counter.status === "paused") await post(`/api/counters/${C}/resume`, clerk);
    if (v.current) await post(`/api/counters/${C}/finish`, clerk, {});
    if (v.queues.every((q) => q.waiting === 0)) break;
    await post(`/api/counters/${C}/call-next`, clerk, {});
  }
  const v = await view(clerk);
  if (v.current) await post(`/api/counters/${C}/finish`, clerk, {});
  // leave the double-press window of the last call
  await new Promise((r) => setTimeout(r, 1600));
}

async function journalTypes(): Promise<{ issued: number; finished: number }> {
  const s = t.hub.hall.liveStats();
  return { issued: s.issued, finished: s.served };
}

beforeAll(async () => {
  t = await startTestHub();
  clerk = (await t.login("zhangwei")).token;
  expect((await post(`/api/counters/${C}/sign-in`, clerk)).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

describe("http call-next double press (issue 8.1)", () => {
  beforeEach(reset);

  it("two concurrent REST presses call one ticket, both replies name it, none is completed", async () => {
    const a = await issue();
    const b = await issue();
    const before = await journalTypes();
    const [r1, r2] = await Promise.all([
      post(`/api/counters/${C}/call-next`, clerk, { requestId: "p1" }),
      post(`/api/counters/${C}/call-next`, clerk, { requestId: "p2" }),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.body.id).toBe(a.id);
    expect(r2.body.id).toBe(a.id);
    const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(snap.active.find((x) => x.id === a.id)?.status).toBe("called");
    expect(snap.active.find((x) => x.id === b.id)?.status).toBe("waiting");
    expect((await journalTypes()).finished).toBe(before.finished);
  });

  it("two concurrent socket presses call one ticket", async () => {
    const a = await issue();
    const b = await issue();
    const s = t.socket({ token: clerk });
    await connected(s);
    const [r1, r2] = await Promise.all([
      s.emitWithAck("counter:command", { type: "call-next", counterId: C, requestId: "s1" }),
      s.emitWithAck("counter:command", { type: "call-next", counterId: C, requestId: "s2" }),
    ]);
    expect(r1).toMatchObject({ ok: true, data: { ticket: { id: a.id, status: "called" } } });
    expect(r2).toMatchObject({ ok: true, data: { ticket: { id: a.id, status: "called" } } });
    expect(t.hub.hall.ticket(b.id)?.status).toBe("waiting");
    expect(t.hub.hall.ticket(a.id)?.outcome).toBeUndefined();
    s.disconnect();
  });

  it("a repeat of the same request id after the window gets the same reply, not a second call", async () => {
    const a = await issue();
    await issue();
    const r1 = await post(`/api/counters/${C}/call-next`, clerk, { requestId: "same-id" });
    await new Promise((r) => setTimeout(r, 1600));
    const r2 = await post(`/api/counters/${C}/call-next`, clerk, { requestId: "same-id" });
    expect(r1.body.id).toBe(a.id);
    expect(r2.status).toBe(200);
    expect(r2.body.id).toBe(a.id);
  });

  it("a new press after the window is refused with TICKET_ALREADY_CALLED and changes nothing", async () => {
    await issue();
    await issue();
    await post(`/api/counters/${C}/call-next`, clerk, {});
    await new Promise((r) => setTimeout(r, 1600));
    await expectRejected(
      t,
      { method: "POST", path: `/api/counters/${C}/call-next`, body: {}, auth: clerk },
      409,
      "TICKET_ALREADY_CALLED",
    );
  });

  it("a bad request id is refused with VALIDATION_FAILED", async () => {
    await issue();
    await expectRejected(
      t,
      { method: "POST", path: `/api/counters/${C}/call-next`, body: { requestId: "" }, auth: clerk },
      400,
      "VALIDATION_FAILED",
    );
  });

  it("the counter view lists what is allowed: no call-next while a ticket is called", async () => {
    await issue();
    expect((await view(clerk)).allowed).toContain("call-next");
    await post(`/api/counters/${C}/call-next`, clerk, {});
    const v = await view(clerk);
    expect(v.allowed).not.toContain("call-next");
    expect(v.allowed).toEqual(expect.arrayContaining(["start", "no-show", "recall", "finish"]));
    expect(v.noShowGraceSec).toBe(60);
    // Another clerk may not even look (a clerk sees only their own counter, issue 7.14).
    const other = await t.api("GET", `/api/counters/${C}`, undefined, (await t.login("lina")).token);
    expect(other.status).toBe(403);
  });

  it("a paused counter's view does not allow calling", async () => {
    await post(`/api/counters/${C}/pause`, clerk, { reason: "休息" });
    const v = await view(clerk);
    expect(v.allowed).toContain("resume");
    expect(v.allowed).not.toContain("call-next");
    expect(v.allowed).not.toContain("call");
    await post(`/api/counters/${C}/resume`, clerk);
  });
});

describe("http takeover (issue 8.13)", () => {
  const T = "c02";
  let lina: string;
  let boss: string;

  beforeAll(async () => {
    lina = (await t.login("lina")).token;
    boss = (await t.login("wangli")).token;
    expect((await post(`/api/counters/${T}/sign-in`, lina)).status).toBe(200);
  });

  it("a supervisor must confirm (takeover: true); then the clerk sees who holds it and asks for it back", async () => {
    await expectRejected(t, { method: "POST", path: `/api/counters/${T}/sign-in`, body: {}, auth: boss }, 409, "COUNTER_TAKEN");
    const r = await post<CounterState>(`/api/counters/${T}/sign-in`, boss, { takeover: true });
    expect(r.body).toMatchObject({ id: T, staffName: "王丽" });
    const seen = await view(lina, T);
    expect(seen.counter.staffName).toBe("王丽");
    expect(seen.allowed).toEqual([]);
    // The clerk cannot act, nor sign in over the supervisor while they are here.
    expect(await refused(`/api/counters/${T}/call-next`, lina)).toBe("FORBIDDEN");
    expect(await refused(`/api/counters/${T}/sign-in`, lina)).toBe("COUNTER_TAKEN");
    // Another clerk may not ask for a counter that is not theirs.
    expect(await refused(`/api/counters/${T}/hand-back-request`, clerk)).toBe("FORBIDDEN");
    expect((await post(`/api/counters/${T}/hand-back-request`, lina)).status).toBe(200);
    expect((await view(boss, T)).handBack).toMatchObject({ staffName: "李娜" });
    // Only the holder gives it back; the clerk is signed in again.
    expect(await refused(`/api/counters/${T}/hand-back`, lina)).toBe("FORBIDDEN");
    const back = await post<CounterState>(`/api/counters/${T}/hand-back`, boss);
    expect(back.body).toMatchObject({ id: T, staffName: "李娜" });
    expect((await view(lina, T)).handBack).toBeUndefined();
    expect((await view(lina, T)).allowed).toContain("call-next");
  });

  it("a holder whose browser closed is released after the hall's idle time", async () => {
    expect((await post(`/api/counters/${T}/sign-in`, boss, { takeover: true })).status).toBe(200);
    const s = t.socket({ token: boss });
    await connected(s);
    await new Promise((r) => setTimeout(r, 100));
    s.disconnect();
    await new Promise((r) => setTimeout(r, 1500));
    // Not yet: the idle time (300 s by default) has not passed.
    expect(t.hub.hall.counterState(T)?.staffId).toBeDefined();
    expect((await view(lina, T)).holderAway).toBeUndefined();
    t.advance(301_000);
    let st = "";
    for (let i = 0; i < 30 && st !== "closed"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      st = t.hub.hall.counterState(T)?.status ?? "";
    }
    expect(st).toBe("closed");
    expect((await post<CounterState>(`/api/counters/${T}/sign-in`, lina)).body).toMatchObject({ staffName: "李娜" });
  });
});
