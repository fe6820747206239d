import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Socket, io } from "socket.io-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CounterView, TicketCalled } from "../../../server/src/contract/events.ts";
import type { Ticket } from "../../../server/src/contract/tickets.ts";
import { type RunningHub, startHub } from "../../../server/src/app.ts";
import { jsonApi, sleep, until } from "../../helpers/http.ts";

// The hall's counter devices (caller keypad, rating device, LED window display) driven
// through their simulators while the hub runs, observed the way users see it: REST, the
// hall's socket room, and what the simulated devices show.

const COUNTER = "c01";
const ADDR = 1; // the demo wires each window's devices at its number

let hub: RunningHub;
let dataDir: string;
let clerkToken: string;
let clerkId: string;
let hall: Socket;
const events: { name: string; payload: unknown }[] = [];

const api = jsonApi(() => hub.url);

function sims(id: string) {
  const s = hub.devices.simulators(id);
  if (!s) throw new Error(`no simulated device ${id}`);
  return s;
}

// The keypad bus drops a repeat of the same frame from one address within 300 ms (a lost
// ACK must not call two tickets), so presses are spaced like a human's.
let lastPress = 0;
async function press(key: Parameters<NonNullable<ReturnType<typeof sims>["keypadSim"]>["press"]>[1]): Promise<void> {
  const wait = lastPress + 350 - Date.now();
  if (wait > 0) await sleep(wait);
  lastPress = Date.now();
  const kp = sims(`keypad-${COUNTER}`).keypadSim;
  if (!kp) throw new Error("keypad-c01 has no simulator");
  await kp.press(ADDR, key);
}

async function counterView(): Promise<CounterView> {
  const r = await api<CounterView>("GET", `/api/counters/${COUNTER}`, undefined, clerkToken);
  expect(r.status).toBe(200);
  return r.body;
}

async function issue(matterId = "m-001"): Promise<{ id: string; number: string; queueId: string }> {
  // Issued by staff (the help desk): only a paired kiosk or staff may issue.
  const r = await api<{ id: string; number: string; queueId: string }>("POST", "/api/tickets", { matterId }, clerkToken);
  expect(r.status).toBe(201);
  return r.body;
}

async function eventCount(): Promise<number> {
  return (await api<{ events: number }>("GET", "/api/health")).body.events;
}

/** Bring c01 back to "signed in, idle, nobody waiting" through the counter page's own REST calls. */
async function resetCounter(): Promise<void> {
  let v = await counterView();
  if (v.counter.status === "paused")
    expect((await api("POST", `/api/counters/${COUNTER}/resume`, {}, clerkToken)).status).toBe(200);
  for (let i = 0; i < 50; i++) {
    v = await counterView();
    if (v.current) expect((await api("POST", `/api/counters/${COUNTER}/finish`, {}, clerkToken)).status).toBe(200);
    const waiting = v.queues.reduce((n, q) => n + q.waiting, 0);
    if (waiting === 0) break;
    expect((await api("POST", `/api/counters/${COUNTER}/call-next`, {}, clerkToken)).status).toBe(200);
  }
  v = await counterView();
  if (v.current) expect((await api("POST", `/api/counters/${COUNTER}/finish`, {}, clerkToken)).status).toBe(200);
  for (const p of (await counterView()).parked) {
    expect((await api("POST", `/api/counters/${COUNTER}/call/${p.id}`, {}, clerkToken)).status).toBe(200);
    expect((await api("POST", `/api/counters/${COUNTER}/finish`, {}, clerkToken)).status).toBe(200);
  }
  v = await counterView();
  expect(v.current).toBeNull();
  expect(v.counter.status).toBe("idle");
  expect(v.queues.reduce((n, q) => n + q.waiting, 0)).toBe(0);
  events.length = 0;
}

function called(ticketId: string): TicketCalled | undefined {
  for (const e of events) {
    const p = e.payload as TicketCalled;
    if (e.name === "ticket:called" && p.ticket.id === ticketId) return p;
  }
  return undefined;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "onevisit-counterdev-"));
  hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: "test-admin-pw",
    log: () => {},
    // No speech needed here; keep espeak-ng out of the way.
    espeakPath: join(dataDir, "no-espeak"),
  });
  const clerk = hub.created?.staff.find((s) => s.counterId === COUNTER && s.role === "clerk");
  if (!clerk) throw new Error("the demo hall has no clerk at c01");
  const login = await api<{ token: string; staff: { id: string } }>("POST", "/api/auth/login", {
    username: clerk.username,
    password: clerk.password,
  });
  expect(login.status).toBe(200);
  clerkToken = login.body.token;
  clerkId = login.body.staff.id;
  expect((await api("POST", `/api/counters/${COUNTER}/sign-in`, {}, clerkToken)).status).toBe(200);

  hall = io(hub.url, { transports: ["websocket"], reconnection: false });
  hall.onAny((name: string, payload: unknown) => events.push({ name, payload }));
  const ack = await hall.timeout(3000).emitWithAck("subscribe", { view: "hall" });
  expect(ack.ok).toBe(true);
});

afterAll(async () => {
  hall?.close();
  await hub?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetCounter();
});

describe("devices/caller keypad at a counter", () => {
  it("call key calls the next ticket as the counter page would, and the keypad shows its number", async () => {
    const t = await issue();
    await press("call");
    const e = await until(() => called(t.id), 3000, "ticket:called");
    expect(e.call.counterId).toBe(COUNTER);
    expect(e.call.counterNumber).toBe(1);
    expect(e.ticket.number).toBe(t.number);
    const v = await counterView();
    expect(v.current?.id).toBe(t.id);
    expect(v.current?.status).toBe("called");
    // Recorded as the signed-in clerk's action, as if they had clicked on the counter page.
    expect(v.current?.staffId).toBe(clerkId);
    expect(v.counter.status).toBe("calling");
    const kp = sims(`keypad-${COUNTER}`).keypadSim;
    await until(() => kp?.lastText(ADDR) === t.number, 2000, "keypad LCD shows the number");
  });

  it("call key with nobody waiting calls nothing and changes no state", async () => {
    const before = await eventCount();
    await press("call");
    await sleep(400);
    expect(events.filter((e) => e.name === "ticket:called")).toEqual([]);
    expect(await eventCount()).toBe(before);
    expect((await counterView()).current).toBeNull();
  });

  it("recall key re-announces the current ticket", async () => {
    const t = await issue();
    await press("call");
    await until(() => called(t.id), 3000, "first call");
    events.length = 0;
    await press("recall");
    const e = await until(() => called(t.id), 3000, "recall");
    expect(e.call.recall).toBe(1);
    expect((await counterView()).current?.recalls).toBe(1);
  });

  it("call key again while the visitor is only called (within the grace time) calls nobody and says why on the keypad", async () => {
    const t = await issue();
    const next = await issue();
    await press("call");
    await until(() => called(t.id), 3000, "first call");
    // Past the double-press window, so this is a real second press, not a repeat.
    await sleep(1600);
    await press("call");
    const kp = sims(`keypad-${COUNTER}`).keypadSim;
    await until(() => kp?.lastText(ADDR) === "TICKET_ALREADY_CALLED", 2000, "refusal on the keypad");
    const v = await counterView();
    expect(v.current).toMatchObject({ id: t.id, status: "called" });
    expect(called(next.id)).toBeUndefined();
    expect(hub.hall.ticket(t.id)?.outcome).toBeUndefined();
  });

  it("no-show key marks the called visitor absent", async () => {
    const t = await issue();
    await press("call");
    await until(() => called(t.id), 3000, "call");
    await press("no_show");
    const status = await until(
      async () => {
        const r = await api<{ status: string }>("GET", `/api/tickets/${t.id}`);
        return r.body.status === "no_show" && r.body.status;
      },
      3000,
      "no_show",
    );
    expect(status).toBe("no_show");
    const v = await counterView();
    expect(v.current).toBeNull();
    expect(v.noShows.map((x) => x.id)).toContain(t.id);
  });

  it("park key parks the current ticket and call-back key calls the last parked one back", async () => {
    const first = await issue();
    const second = await issue();
    await press("call");
    await until(() => called(first.id), 3000, "call first");
    await press("park");
    await until(async () => (await counterView()).parked.some((p) => p.id === first.id), 3000, "first parked");
    await press("call");
    await until(() => called(second.id), 3000, "call second");
    await press("park");
    await until(async () => (await counterView()).parked.some((p) => p.id === second.id), 3000, "second parked");
    events.length = 0;
    await press("call_back");
    const e = await until(() => called(second.id), 3000, "call back");
    expect(e.call.counterId).toBe(COUNTER);
    const v = await counterView();
    // The most recently parked ticket comes back; the other one stays parked.
    expect(v.current?.id).toBe(second.id);
    expect(v.parked.map((p) => p.id)).toEqual([first.id]);
    expect(called(first.id)).toBeUndefined();
  });

  it("call-back key with nothing parked changes nothing and says so on the keypad", async () => {
    const before = await eventCount();
    await press("call_back");
    const kp = sims(`keypad-${COUNTER}`).keypadSim;
    await until(() => kp?.lastText(ADDR) === "NO_PARKED", 2000, "NO_PARKED on the keypad");
    expect(await eventCount()).toBe(before);
  });

  it("pause key pauses an idle counter and pressed again resumes it", async () => {
    await press("pause");
    const paused = await until(
      async () => {
        const v = await counterView();
        return v.counter.status === "paused" && v;
      },
      3000,
      "paused",
    );
    expect(paused.counter.pauseReason).toBeTruthy();
    await press("pause");
    await until(async () => (await counterView()).counter.status === "idle", 3000, "resumed");
    // A paused counter calls nobody: check that the toggle really reached the engine.
    await press("pause");
    await until(async () => (await counterView()).counter.status === "paused", 3000, "paused again");
    const t = await issue();
    await press("call");
    await sleep(400);
    expect(called(t.id)).toBeUndefined();
    expect((await api<{ status: string }>("GET", `/api/tickets/${t.id}`)).body.status).toBe("waiting");
  });

  it("transfer key sends the current ticket back to its own queue, keeping its place", async () => {
    const t = await issue();
    const later = await issue();
    await press("call");
    await until(() => called(t.id), 3000, "call");
    await press("transfer");
    const back = await until(
      async () => {
        const r = await api<{ status: string; queueId: string; position: number }>("GET", `/api/tickets/${t.id}`);
        return r.body.status === "waiting" && r.body;
      },
      3000,
      "transferred ticket waiting again",
    );
    expect(back.queueId).toBe(t.queueId);
    // Its arrival time is kept, so it is ahead of the one issued after it.
    expect(back.position).toBe(0);
    const v = await counterView();
    expect(v.current).toBeNull();
    expect(v.queues.find((q) => q.queueId === t.queueId)?.next.map((x) => x.id)).toEqual([t.id, later.id]);
  });

  it("a key at a counter nobody is signed in at changes nothing and shows an error on the keypad", async () => {
    // c05 has devices but no staff signed in.
    await issue();
    const before = await eventCount();
    const kp = sims("keypad-c05").keypadSim;
    if (!kp) throw new Error("keypad-c05 has no simulator");
    await kp.press(5, "call");
    await until(() => kp.lastText(5) === "COUNTER_CLOSED", 2000, "error text on keypad-c05");
    expect(await eventCount()).toBe(before);
    expect(events.filter((e) => e.name === "ticket:called")).toEqual([]);
    // Looked at by the admin: a clerk sees only their own counter.
    const admin = await api<{ token: string }>("POST", "/api/auth/login", { username: "admin", password: "test-admin-pw" });
    const c05 = (await api<CounterView>("GET", "/api/counters/c05", undefined, admin.body.token)).body;
    expect(c05.counter.status).toBe("closed");
    expect(c05.current).toBeNull();
  });
});

describe("devices/rating device at a counter", () => {
  it("request-rating over REST prompts the rating device, and its score rates the ticket just served", async () => {
    const rating = sims(`rating-${COUNTER}`).keypadSim;
    if (!rating) throw new Error("rating-c01 has no simulator");
    const t = await issue();
    expect((await api("POST", `/api/counters/${COUNTER}/call-next`, {}, clerkToken)).status).toBe(200);
    expect((await api("POST", `/api/counters/${COUNTER}/start`, {}, clerkToken)).status).toBe(200);
    const prompts = rating.ratingRequests.filter((a) => a === ADDR).length;
    expect((await api("POST", `/api/counters/${COUNTER}/request-rating`, {}, clerkToken)).status).toBe(200);
    await until(() => rating.ratingRequests.filter((a) => a === ADDR).length > prompts, 2000, "rating prompt");
    // The other counters' rating devices were not prompted.
    expect(sims("rating-c02").keypadSim?.ratingRequests ?? []).toEqual([]);

    await rating.rate(ADDR, 5);
    const v = await until(
      async () => {
        const cv = await counterView();
        return cv.counter.lastRating === 5 && cv;
      },
      3000,
      "lastRating 5",
    );
    expect(v.current?.id).toBe(t.id);
    expect((v.current as Ticket).rating).toBe(5);
    expect(v.today.avgRating).toBe(5);
  });

  it("a rating after the visitor left still rates the last ticket served, once", async () => {
    const rating = sims(`rating-${COUNTER}`).keypadSim;
    if (!rating) throw new Error("rating-c01 has no simulator");
    const t = await issue();
    expect((await api("POST", `/api/counters/${COUNTER}/call-next`, {}, clerkToken)).status).toBe(200);
    expect((await api("POST", `/api/counters/${COUNTER}/start`, {}, clerkToken)).status).toBe(200);
    const finished = await api<Ticket>("POST", `/api/counters/${COUNTER}/finish`, {}, clerkToken);
    expect(finished.body.id).toBe(t.id);
    const avgBefore = (await counterView()).today.avgRating;
    await rating.rate(ADDR, 2);
    await until(async () => (await counterView()).counter.lastRating === 2, 3000, "lastRating 2");
    const after = (await counterView()).today.avgRating;
    expect(after).not.toBe(avgBefore);
    // A second press is refused by the engine (ALREADY_RATED): the average does not move again.
    await sleep(350);
    await rating.rate(ADDR, 1);
    await sleep(400);
    expect((await counterView()).today.avgRating).toBe(after);
    expect((await counterView()).counter.lastRating).toBe(2);
  });
});

describe("devices/LED window display", () => {
  it("shows the called number and the window, the welcome text when idle, and 暂停服务 when paused", async () => {
    const led = sims(`led-${COUNTER}`).ledSim;
    if (!led) throw new Error("led-c01 has no simulator");
    await until(() => led.texts.get(ADDR) === "1号窗口 欢迎您", 2000, "idle text after reset");

    const t = await issue();
    await press("call");
    await until(() => called(t.id), 3000, "call");
    await until(() => led.texts.get(ADDR) === `${t.number} 请到1号窗口`, 2000, "calling text");
    expect(led.styles.get(ADDR)?.colour).toBe("red");
    // Only window 1's display changed to the call.
    expect(led.texts.get(2)).not.toContain(t.number);

    expect((await api("POST", `/api/counters/${COUNTER}/finish`, {}, clerkToken)).status).toBe(200);
    await until(() => led.texts.get(ADDR) === "1号窗口 欢迎您", 2000, "idle text after finish");

    expect((await api("POST", `/api/counters/${COUNTER}/pause`, { reason: "午休" }, clerkToken)).status).toBe(200);
    await until(() => led.texts.get(ADDR) === "暂停服务", 2000, "paused text");
    expect(led.styles.get(ADDR)?.colour).toBe("amber");
  });
});
