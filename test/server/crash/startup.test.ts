/**
 * Starting the real hub (`server/src/main.ts`, as `npm start` does) on a data folder that
 * a crash or an operator left in a bad state: it either repairs what a crash can cause (a
 * torn last journal line) and says so, or refuses to start and says why.
 */
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { CONFIG_VERSION, type ConfigData } from "../../../server/src/store/config.ts";
import { type ChildHub, runChildHub, startChildHub } from "../../helpers/child-hub.ts";

const ADMIN_PASSWORD = "test-admin-pw";

let dataDir: string;
const hubs: ChildHub[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "onevisit-startup-"));
});
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.kill9();
  await rm(dataDir, { recursive: true, force: true });
});
afterAll(async () => {
  for (const h of hubs.splice(0)) await h.kill9();
});

function config(): ConfigData {
  return {
    version: CONFIG_VERSION,
    catalogue: demoCatalogue(),
    staff: [{ id: "s-admin", username: "admin", name: "管理员", role: "admin", salt: "c2FsdA==", hash: "aGFzaA==" }],
    devices: [],
    appointments: [],
    secrets: { tokenKey: "a2V5a2V5a2V5a2V5", idSalt: "c2FsdA==" },
    demo: false,
  };
}

async function writeConfig(data: unknown): Promise<void> {
  await writeFile(join(dataDir, "config.json"), JSON.stringify(data, null, 2));
}

describe("crash/startup with a bad configuration", () => {
  it("exits non-zero naming every problem: missing queue, duplicate username, no admin", async () => {
    const d = config();
    (d.catalogue.matters[0] as { queueId: string }).queueId = "q-zz";
    d.staff = [
      { id: "s-1", username: "wangli", name: "王丽", role: "supervisor", salt: "x", hash: "y" },
      { id: "s-2", username: "wangli", name: "王丽", role: "clerk", salt: "x", hash: "y" },
    ];
    await writeConfig(d);
    const r = await runChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("OneVisit cannot start: invalid configuration in");
    expect(r.stderr).toContain(join(dataDir, "config.json"));
    expect(r.stderr).toContain('matter m-001: queueId "q-zz" does not exist');
    expect(r.stderr).toContain('username "wangli" is used twice');
    expect(r.stderr).toContain("there is no admin account");
    // No stack trace for an operator error: the message is the whole story.
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits non-zero on a configuration from a newer version, leaving the file as it was", async () => {
    const future = { ...config(), version: CONFIG_VERSION + 1 };
    await writeConfig(future);
    const before = await readFile(join(dataDir, "config.json"), "utf8");
    const r = await runChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/OneVisit cannot start: .*config\.json is from a newer OneVisit/);
    expect(r.stderr).toContain(`version ${CONFIG_VERSION + 1}, this hub knows ${CONFIG_VERSION}`);
    expect(await readFile(join(dataDir, "config.json"), "utf8")).toBe(before);
  });

  it("exits non-zero on a config file that is not JSON", async () => {
    await writeFile(join(dataDir, "config.json"), '{ "version": 2, "catal');
    const r = await runChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`OneVisit cannot start: cannot read ${join(dataDir, "config.json")}`);
  });

  it("exits non-zero when today's journal is damaged in the middle, naming the line", async () => {
    await writeConfig(config());
    const hub = await startChildHub({ dataDir });
    hubs.push(hub);
    const day = ((await (await fetch(`${hub.url}/api/health`)).json()) as { day: string }).day;
    await hub.stop();
    const good = (i: number) =>
      `${JSON.stringify({ type: "counter.signed_in", at: Date.now(), counterId: `c0${i}`, staffId: "s-admin", staffName: "管理员" })}\n`;
    await mkdir(join(dataDir, "journal"), { recursive: true });
    await writeFile(join(dataDir, "journal", `${day}.jsonl`), `${good(1)}{"type": BROKEN\n${good(2)}`);
    const r = await runChildHub({ dataDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("OneVisit cannot start");
    expect(r.stderr).toContain(`${day}.jsonl line 2 is damaged`);
  });
});

describe("crash/startup first start of a data folder", () => {
  it("keeps the generated passwords out of its output (a pipe, maybe a log): a 0600 file in the data folder instead", async () => {
    const hub = await startChildHub({ dataDir });
    hubs.push(hub);
    const file = join(dataDir, "first-start-accounts.txt");
    expect(hub.stdout()).toContain(file);
    expect(hub.stdout()).toMatch(/Change them/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The accounts were read from the file; none of their passwords was printed or logged.
    expect(hub.accounts.size).toBeGreaterThan(2);
    for (const [user, password] of hub.accounts) {
      expect(password, user).toMatch(/^\S{8,}$/);
      expect(hub.stdout()).not.toContain(password);
      expect(hub.stderr()).not.toContain(password);
    }
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: hub.accounts.get("admin") }),
    });
    expect(login.status).toBe(200);
  });
});

/** Take a number at the help desk (staff): only a paired kiosk or staff may issue. */
async function deskIssue(url: string): Promise<Response> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  return fetch(`${url}/api/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ matterId: "m-001" }),
  });
}

describe("crash/startup with config.json missing beside the hall's data", () => {
  it("refuses to start (no new secrets, passwords or demo hall), saying what is missing and what is there", async () => {
    const hub = await startChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    hubs.push(hub);
    const r1 = await deskIssue(hub.url);
    expect(r1.status).toBe(201);
    const day = ((await (await fetch(`${hub.url}/api/health`)).json()) as { day: string }).day;
    await hub.stop();
    const journal = join(dataDir, "journal", `${day}.jsonl`);
    const before = await readFile(journal, "utf8");
    await rm(join(dataDir, "config.json"));

    const r = await runChildHub({ dataDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`OneVisit cannot start: ${join(dataDir, "config.json")} is missing`);
    expect(r.stderr).toContain(`journal/${day}.jsonl`);
    expect(r.stdout).not.toContain("First start");
    expect(existsSync(join(dataDir, "config.json"))).toBe(false);
    expect(await readFile(journal, "utf8")).toBe(before);
  });
});

describe("crash/startup with a damaged complete last journal line", () => {
  it("refuses to start naming the line, instead of dropping it and reusing its number", async () => {
    const hub = await startChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    hubs.push(hub);
    for (let i = 0; i < 2; i++) {
      const r = await deskIssue(hub.url);
      expect(r.status).toBe(201);
    }
    const day = ((await (await fetch(`${hub.url}/api/health`)).json()) as { day: string }).day;
    await hub.kill9();
    const journal = join(dataDir, "journal", `${day}.jsonl`);
    const lines = (await readFile(journal, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    // A bit flipped inside the last (acknowledged) ticket's number: still JSON, still a whole line.
    lines[lines.length - 1] = (lines.at(-1) as string).replace('"number":"A002"', '"number":"A00\u0000"');
    const damaged = `${lines.join("\n")}\n`;
    await writeFile(journal, damaged);
    const r = await runChildHub({ dataDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${day}.jsonl line ${lines.length} is damaged`);
    expect(await readFile(journal, "utf8")).toBe(damaged);
  });
});

describe("crash/startup after a torn journal write", () => {
  it("drops a torn last line, reports it in the log, starts, and keeps every whole event", async () => {
    let hub = await startChildHub({ dataDir, adminPassword: ADMIN_PASSWORD });
    hubs.push(hub);
    // Issued by staff (the help desk): only a paired kiosk or staff may issue. The token
    // outlives the restart (the token key is on disk).
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    });
    const desk = ((await login.json()) as { token: string }).token;
    const issued: { id: string; number: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${hub.url}/api/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${desk}` },
        body: JSON.stringify({ matterId: "m-001" }),
      });
      expect(r.status).toBe(201);
      issued.push((await r.json()) as { id: string; number: string });
    }
    const health = (await (await fetch(`${hub.url}/api/health`)).json()) as { day: string; events: number };
    await hub.kill9();

    // The write the crash interrupted: half an event, no newline.
    const journal = join(dataDir, "journal", `${health.day}.jsonl`);
    const whole = await readFile(journal, "utf8");
    const torn = '{"type":"ticket.issued","at":1741568400000,"ticket":{"id":"torn","numb';
    await appendFile(journal, torn);

    hub = await startChildHub({ dataDir });
    hubs.push(hub);
    expect(hub.stdout()).toMatch(
      new RegExp(`journal ${health.day}: dropped a torn last write of ${Buffer.byteLength(torn)} bytes \\(never acknowledged\\)`),
    );
    expect(await readFile(journal, "utf8")).toBe(whole);
    const after = (await (await fetch(`${hub.url}/api/health`)).json()) as { ok: boolean; events: number };
    expect(after).toMatchObject({ ok: true, events: health.events });
    for (const t of issued) {
      const r = await fetch(`${hub.url}/api/tickets/${t.id}`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { number: string }).number).toBe(t.number);
    }
    // The next ticket follows the last whole one, on a clean line of the journal.
    const r = await fetch(`${hub.url}/api/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${desk}` },
      body: JSON.stringify({ matterId: "m-001" }),
    });
    expect(((await r.json()) as { number: string }).number).toBe(
      `A${String(Number(issued[2]?.number.slice(1)) + 1).padStart(3, "0")}`,
    );
    await hub.stop();
    const lines = (await readFile(journal, "utf8")).trimEnd().split("\n");
    // Each line is JSON, a tab and its checksum.
    expect(() => lines.map((l) => JSON.parse(l.split("\t")[0] as string))).not.toThrow();
  });
});
