import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../../server/src/auth/passwords.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { HallSnapshot, IssuedTicket } from "../../../server/src/contract/events.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { type ApiReply, startTestHub, type TestHub } from "../../helpers/hub.ts";

const EXTRA_PASSWORD = "extra-clerk-pw";

describe("http concurrency: 40 counters call at the same instant", () => {
  let t: TestHub;
  let cat: Catalogue;
  /** counterId → token of the staff member signed in there. */
  const at = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestHub();
    cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    // The demo hall has 15 accounts; one person holds one counter, so add 25 clerks.
    const { salt, hash } = await hashPassword(EXTRA_PASSWORD);
    await t.hub.config.update((d) => {
      for (let i = 1; i <= 25; i++)
        d.staff.push({ id: `s-x${i}`, username: `extra${i}`, name: `临时${i}`, role: "clerk", salt, hash });
    });
    const demo = t.created?.staff ?? [];
    const people: { username: string; password: string; counterId?: string }[] = [
      ...demo.filter((s) => s.counterId),
      { username: "admin", password: t.password("admin") },
      // Back-office approvers (cases) act on cases, not at windows: they stay out of the call race.
      ...demo.filter((s) => !s.counterId && s.role !== "approver"),
      ...Array.from({ length: 25 }, (_, i) => ({ username: `extra${i + 1}`, password: EXTRA_PASSWORD })),
    ];
    const free = cat.counters.map((c) => c.id).filter((id) => !people.some((p) => p.counterId === id));
    for (const p of people) {
      const counterId = p.counterId ?? (free.shift() as string);
      const token = (await t.login(p.username, p.password)).token;
      const r = await t.api("POST", `/api/counters/${counterId}/sign-in`, undefined, token);
      expect(r.status, `${p.username} at ${counterId}`).toBe(200);
      at.set(counterId, token);
    }
    expect(at.size).toBe(40);
  });
  afterAll(async () => {
    await t?.close();
  });

  const serves = (counterId: string, queueId: string) =>
    cat.counters.find((c) => c.id === counterId)?.profile.queueIds.includes(queueId) ?? false;

  async function issueMany(matterId: string, n: number): Promise<IssuedTicket[]> {
    const out: IssuedTicket[] = [];
    for (let i = 0; i < n; i++) {
      const r = await t.issue<IssuedTicket>({ matterId });
      expect(r.status).toBe(201);
      out.push(r.body);
    }
    return out;
  }

  /** Every signed-in counter presses call-next at once. */
  async function everyoneCalls(): Promise<{ counterId: string; r: ApiReply<Ticket> }[]> {
    const entries = [...at];
    const replies = await Promise.all(
      entries.map(([id, token]) => t.api<Ticket>("POST", `/api/counters/${id}/call-next`, undefined, token)),
    );
    return entries.map(([counterId], i) => ({ counterId, r: replies[i] as ApiReply<Ticket> }));
  }

  async function expectConsistent(calls: { counterId: string; r: ApiReply<Ticket> }[]): Promise<void> {
    const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    const current = snap.counters.filter((c) => c.currentTicketId).map((c) => c.currentTicketId);
    expect(new Set(current).size).toBe(current.length);
    for (const { counterId, r } of calls) {
      if (r.status !== 200) continue;
      expect(snap.counters.find((c) => c.id === counterId)?.currentTicketId).toBe(r.body.id);
      expect(r.body.counterId).toBe(counterId);
      expect(serves(counterId, r.body.queueId)).toBe(true);
    }
  }

  it("fewer tickets than counters: each ticket goes to exactly one counter, the rest get 204", async () => {
    const tickets = await issueMany("m-001", 7);
    const events = (await t.api("GET", "/api/health")).body.events as number;
    const calls = await everyoneCalls();
    const won = calls.filter((c) => c.r.status === 200);
    expect(won).toHaveLength(7);
    expect(calls.filter((c) => c.r.status === 204)).toHaveLength(33);
    expect(calls.every((c) => c.r.status === 200 || c.r.status === 204)).toBe(true);
    const ids = won.map((c) => c.r.body.id);
    expect(new Set(ids).size).toBe(7);
    expect(new Set(ids)).toEqual(new Set(tickets.map((x) => x.id)));
    for (const c of calls.filter((x) => x.r.status === 204)) expect(c.r.body).toBe("");
    await expectConsistent(calls);
    // Exactly one ticket.called per ticket went to the journal.
    expect((await t.api("GET", "/api/health")).body.events).toBe(events + 7);
  });

  it("more tickets than serving counters: the oldest go first, once each", async () => {
    // The visitors the last round called are started: call-next never closes a called ticket.
    await Promise.all([...at].map(([id, token]) => t.api("POST", `/api/counters/${id}/start`, undefined, token)));
    const tickets = await issueMany("m-002", 30);
    const calls = await everyoneCalls();
    const won = calls.filter((c) => c.r.status === 200);
    const servers = [...at.keys()].filter((id) => serves(id, "q-a"));
    expect(servers).toHaveLength(10);
    expect(won).toHaveLength(10);
    const ids = won.map((c) => c.r.body.id);
    expect(new Set(ids).size).toBe(10);
    expect(new Set(ids)).toEqual(new Set(tickets.slice(0, 10).map((x) => x.id)));
    await expectConsistent(calls);
    const snap = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(snap.active.filter((a) => a.status === "waiting").map((a) => a.id)).toEqual(tickets.slice(10).map((x) => x.id));
  });

  it("tickets across every all-day series: no ticket is handed out twice", async () => {
    const queues = cat.queues.filter((q) => q.id !== "q-h" && q.id !== "q-j");
    const issued: IssuedTicket[] = [];
    for (const q of queues) {
      const m = cat.matters.find((x) => x.queueId === q.id)?.id as string;
      issued.push(...(await issueMany(m, 2)));
    }
    const calls = await everyoneCalls();
    const ids = calls.filter((c) => c.r.status === 200).map((c) => c.r.body.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(queues.length);
    await expectConsistent(calls);
  });
});

describe("http concurrency: issuing", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("200 concurrent issues of one queue get 200 distinct, contiguous numbers", async () => {
    const first = await t.issue<IssuedTicket>({ matterId: "m-001" });
    const start = Number(first.body.number.slice(1));
    const before = (await t.api<HallSnapshot>("GET", "/api/state")).body.stats.issued;
    // Staff issue here (kiosk ids without printers): 200 kiosk pairings would only time the pairing.
    const staff = await t.adminToken();
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.issue<IssuedTicket>({ matterId: i % 2 ? "m-001" : "m-013", kioskId: `web-${i}` }, staff),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(200).fill(201));
    const seqs = replies.map((r) => Number(r.body.number.slice(1))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => start + 1 + i));
    expect(new Set(replies.map((r) => r.body.number)).size).toBe(200);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(200);
    for (const r of replies) expect(r.body.number).toMatch(/^A\d{3}$/);
    // The line positions are a permutation too: nobody shares a place in line.
    expect(new Set(replies.map((r) => r.body.position)).size).toBe(200);
    const after = (await t.api<HallSnapshot>("GET", "/api/state")).body;
    expect(after.stats.issued).toBe(before + 200);
    expect(after.active.filter((a) => a.queueId === "q-a")).toHaveLength(201);
  });

  it("the daily cap holds under a burst: exactly the cap is issued, the rest get DAILY_CAP_REACHED", async () => {
    const q = (await t.api<Catalogue>("GET", "/api/hall")).body.queues.find((x) => x.id === "q-e");
    expect(q?.dailyCap).toBe(300);
    const replies = await Promise.all(Array.from({ length: 310 }, () => t.issue({ matterId: "m-074" })));
    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 409);
    expect(ok).toHaveLength(300);
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(r.body).toEqual({ error: { code: "DAILY_CAP_REACHED", message: expect.any(String) } });
    expect(ok.map((r) => r.body.number).sort()).toEqual(
      Array.from({ length: 300 }, (_, i) => `E${String(i + 1).padStart(3, "0")}`),
    );
    const stats = (await t.api("GET", "/api/stats/live")).body;
    expect(stats.queues.find((x: { queueId: string }) => x.queueId === "q-e")).toMatchObject({ issued: 300, waiting: 300 });
  });
});
