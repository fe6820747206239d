/**
 * The acceptance test of durability: the real hub, in its own process, under load from
 * kiosks and clerks, is killed with SIGKILL in the middle of the load, twice. Whatever it
 * acknowledged (2xx) before dying must be there after the restart, with at least the
 * acknowledged status, and numbering must go on without reusing a number.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildHub, startChildHub } from "../../helpers/child-hub.ts";

const ADMIN_PASSWORD = "test-admin-pw";
/** Matters of queue A (q-a) and B (q-b); counters c01 and c02 serve both, c03 serves A. */
const MATTERS = ["m-001", "m-041"] as const;
const CLERKS = [
  { username: "zhangwei", counterId: "c01" },
  { username: "lina", counterId: "c02" },
  { username: "liuyang", counterId: "c03" },
] as const;
const KIOSK_WORKERS = 16;
/** Per cycle: the load would stop here; the kill comes at half of it or after KILL_AFTER_MS. */
const MAX_REQUESTS_PER_CYCLE = 700;
const KILL_AFTER_MS = 1500;

const RANK: Record<string, number> = { waiting: 0, called: 1, serving: 2, done: 3 };

interface Acked {
  number: string;
  /** Highest status acknowledged for the ticket. */
  status: string;
}

/** Every acknowledged ticket: id → number and best acknowledged status. */
class Ledger {
  readonly tickets = new Map<string, Acked>();
  readonly problems: string[] = [];
  private readonly byNumber = new Map<string, string>();

  record(id: string, number: string, status: string): void {
    const other = this.byNumber.get(number);
    if (other && other !== id) this.problems.push(`number ${number} acknowledged for ${other} and ${id}`);
    this.byNumber.set(number, id);
    const prev = this.tickets.get(id);
    if (prev && prev.number !== number) this.problems.push(`ticket ${id} acknowledged as ${prev.number} and ${number}`);
    if (!prev || (RANK[status] ?? -1) > (RANK[prev.status] ?? -1)) this.tickets.set(id, { number, status });
  }

  /** Highest acknowledged sequence number per prefix letter. */
  maxSeq(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { number } of this.tickets.values()) {
      const p = number.slice(0, 1);
      out.set(p, Math.max(out.get(p) ?? 0, Number(number.slice(1))));
    }
    return out;
  }
}

interface TicketReply {
  id: string;
  number: string;
  status: string;
}

/**
 * Staff token the load issues with (the help desk: only a paired kiosk or staff may issue,
 * and staff are not rate-limited); it outlives the restarts (the token key is on disk).
 */
let desk: string | undefined;

async function post(url: string, body?: unknown, token?: string): Promise<Response> {
  const auth = token ?? (url.endsWith("/api/tickets") ? desk : undefined);
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(body ?? {}),
  });
}

async function login(hub: ChildHub, username: string, password: string): Promise<string> {
  const r = await post(`${hub.url}/api/auth/login`, { username, password });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

/** Sign the clerks in (again): their counters survive a restart, so this may be a no-op. */
async function clerksReady(hub: ChildHub, passwords: ReadonlyMap<string, string>): Promise<string[]> {
  const tokens: string[] = [];
  for (const c of CLERKS) {
    const token = await login(hub, c.username, passwords.get(c.username) as string);
    const r = await post(`${hub.url}/api/counters/${c.counterId}/sign-in`, {}, token);
    expect(r.status).toBe(200);
    tokens.push(token);
  }
  return tokens;
}

/**
 * Kiosks issue and clerks call/finish concurrently; the hub is SIGKILLed while requests are
 * in flight. Returns how many requests were in flight at the kill and how many were acked.
 */
async function loadThenKill(hub: ChildHub, tokens: string[], ledger: Ledger): Promise<{ inFlightAtKill: number; acked: number }> {
  let sent = 0;
  let inFlight = 0;
  let acked = 0;
  let dead = false;
  let inFlightAtKill = -1;
  let killed: Promise<unknown> | undefined;
  const kill = () => {
    if (killed) return;
    inFlightAtKill = inFlight;
    killed = hub.kill9();
  };
  // After KILL_AFTER_MS, once enough was acknowledged to matter: a loaded machine may have
  // answered only a few dozen by then (CI saw 38), and the kill must land mid-load, not early.
  let timer: ReturnType<typeof setTimeout>;
  const killWhenLoaded = (): void => {
    if (acked > 60) kill();
    else timer = setTimeout(killWhenLoaded, 100);
  };
  timer = setTimeout(killWhenLoaded, KILL_AFTER_MS);

  /** One request; false when the hub is gone (connection refused or reset). */
  const send = async (fn: () => Promise<Response>, onOk: (r: Response) => Promise<void>): Promise<boolean> => {
    if (dead || sent >= MAX_REQUESTS_PER_CYCLE) return false;
    sent++;
    if (sent >= MAX_REQUESTS_PER_CYCLE / 2) kill();
    inFlight++;
    let r: Response;
    try {
      r = await fn();
    } catch {
      dead = true;
      return false;
    } finally {
      inFlight--;
    }
    try {
      if (r.status >= 200 && r.status < 300) {
        await onOk(r);
        acked++;
      } else await r.body?.cancel();
    } catch {
      // The body was cut off by the kill: the client never saw the acknowledgement.
      dead = true;
      return false;
    }
    return true;
  };

  const kiosk = async (w: number) => {
    for (let i = 0; ; i++) {
      const body = { matterId: MATTERS[(w + i) % MATTERS.length], ...(w % 4 === 0 ? { kioskId: `k${(i % 4) + 1}` } : {}) };
      const ok = await send(
        () => post(`${hub.url}/api/tickets`, body),
        async (r) => {
          const t = (await r.json()) as TicketReply;
          ledger.record(t.id, t.number, t.status);
        },
      );
      if (!ok) return;
    }
  };
  const clerk = async (k: number) => {
    const { counterId } = CLERKS[k] as (typeof CLERKS)[number];
    const token = tokens[k] as string;
    for (;;) {
      let called: TicketReply | undefined;
      const ok = await send(
        () => post(`${hub.url}/api/counters/${counterId}/call-next`, {}, token),
        async (r) => {
          if (r.status === 204) return;
          called = (await r.json()) as TicketReply;
          ledger.record(called.id, called.number, called.status);
        },
      );
      if (!ok) return;
      if (!called) {
        await new Promise((res) => setTimeout(res, 5));
        continue;
      }
      const done = await send(
        () => post(`${hub.url}/api/counters/${counterId}/finish`, { outcome: "completed" }, token),
        async (r) => {
          const t = (await r.json()) as TicketReply;
          ledger.record(t.id, t.number, t.status);
        },
      );
      if (!done) return;
    }
  };

  await Promise.all([...Array.from({ length: KIOSK_WORKERS }, (_, w) => kiosk(w)), ...CLERKS.map((_, k) => clerk(k))]);
  clearTimeout(timer);
  kill();
  await killed;
  return { inFlightAtKill, acked };
}

/** Every acknowledged ticket is there with its number and at least its acknowledged status. */
async function verify(hub: ChildHub, ledger: Ledger): Promise<void> {
  const ids = [...ledger.tickets.keys()];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (id) => {
        const want = ledger.tickets.get(id) as Acked;
        const r = await fetch(`${hub.url}/api/tickets/${id}`);
        if (r.status !== 200) {
          problems.push(`${id} (${want.number}, acked ${want.status}): HTTP ${r.status}`);
          await r.body?.cancel();
          return;
        }
        const t = (await r.json()) as TicketReply;
        if (t.number !== want.number) problems.push(`${id}: number ${t.number}, acked ${want.number}`);
        if ((RANK[t.status] ?? -1) < (RANK[want.status] ?? 0))
          problems.push(`${id} ${t.number}: status ${t.status}, acked ${want.status}`);
        const dup = seen.get(t.number);
        if (dup) problems.push(`number ${t.number} held by ${dup} and ${id}`);
        seen.set(t.number, id);
      }),
    );
  }
  expect(problems).toEqual([]);
}

/** Next new ticket in each queue must come after the highest acknowledged number. */
async function expectNumberingContinues(hub: ChildHub, ledger: Ledger): Promise<void> {
  const max = ledger.maxSeq();
  for (const matterId of MATTERS) {
    const r = await post(`${hub.url}/api/tickets`, { matterId });
    expect(r.status).toBe(201);
    const t = (await r.json()) as TicketReply;
    const prefix = t.number.slice(0, 1);
    expect(Number(t.number.slice(1))).toBeGreaterThan(max.get(prefix) ?? 0);
    ledger.record(t.id, t.number, t.status);
  }
}

/** Local midnight in Asia/Shanghai is 16:00 UTC: numbering restarts there, so keep clear of it. */
async function awayFromLocalMidnight(marginMs: number): Promise<void> {
  const now = Date.now();
  const d = new Date(now);
  let midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 16);
  if (midnight <= now - 5000) midnight += 86_400_000;
  const wait = midnight - now;
  if (wait < marginMs) await new Promise((r) => setTimeout(r, Math.max(0, wait) + 5000));
}

describe("crash/kill -9 under load", () => {
  let dataDir: string;
  const hubs: ChildHub[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "onevisit-crash-"));
  });
  afterAll(async () => {
    for (const h of hubs) await h.kill9();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged ticket and its status through two SIGKILLs mid-load; numbers never repeat", async () => {
    await awayFromLocalMidnight(90_000);
    const start = async () => {
      const h = await startChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
      hubs.push(h);
      return h;
    };
    const ledger = new Ledger();

    let hub = await start();
    // Clerks' passwords are printed once, on the first start of the data folder.
    const passwords = new Map(hub.accounts);
    expect(passwords.get("admin")).toBe(ADMIN_PASSWORD);
    desk = await login(hub, "admin", ADMIN_PASSWORD);
    for (const c of CLERKS) expect(passwords.get(c.username)).toMatch(/^\S{8,}$/);
    const dayAtStart = ((await (await fetch(`${hub.url}/api/health`)).json()) as { day: string }).day;

    for (let cycle = 1; cycle <= 2; cycle++) {
      const tokens = await clerksReady(hub, passwords);
      const before = ledger.tickets.size;
      const { inFlightAtKill, acked } = await loadThenKill(hub, tokens, ledger);
      // The kill came in the middle of the load: requests were on the wire.
      expect(inFlightAtKill, `cycle ${cycle}`).toBeGreaterThan(0);
      expect(acked, `cycle ${cycle}`).toBeGreaterThan(50);
      expect(ledger.tickets.size).toBeGreaterThan(before);
      expect(hub.running).toBe(false);
      expect((await hub.exited).signal).toBe("SIGKILL");

      hub = await start();
      expect(hub.accounts.size).toBe(0); // not a first start: the data folder was kept
      await verify(hub, ledger);
      await expectNumberingContinues(hub, ledger);
    }
    expect(ledger.problems).toEqual([]);
    // Some tickets went the whole way (called and finished), not just issued.
    expect([...ledger.tickets.values()].filter((t) => t.status === "done").length).toBeGreaterThan(0);

    const health = (await (await fetch(`${hub.url}/api/health`)).json()) as { day: string };
    expect(health.day).toBe(dayAtStart);
    await hub.stop();
  }, 240_000);
});
