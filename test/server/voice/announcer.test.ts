import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callPlan, inventory } from "../../../hardware/voice/segments.ts";
import { createVoice, type Voice } from "../../../hardware/voice/tts.ts";
import { parseWav, SAMPLE_RATE } from "../../../hardware/voice/wav.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import type { IssuedTicket, TicketCalled } from "../../../server/src/contract/events.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { Announcer } from "../../../server/src/voice/announcer.ts";
import { connected, nextEvent, startTestHub, type TestHub } from "../../helpers/hub.ts";

let root: string;
/** Segment cache rendered before the hubs start, so every espeak-ng run a hub makes is its own. */
let segments: string;
/** A voice on that cache: what the hub's WAVs must equal, byte for byte. */
let reference: Voice;
/** espeak-ng behind a wrapper that appends each invocation to `espeakLog`. */
let espeak: string;
let espeakLog: string;

const runs = (): string[] => (existsSync(espeakLog) ? readFileSync(espeakLog, "utf8").split("\n").filter(Boolean) : []);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "onevisit-voice-hub-"));
  segments = join(root, "segments");
  espeakLog = join(root, "espeak.log");
  espeak = join(root, "espeak-ng");
  writeFileSync(espeak, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${espeakLog}'\nexec espeak-ng "$@"\n`);
  chmodSync(espeak, 0o755);
  reference = createVoice({ dir: join(root, "reference"), segmentsDir: segments });
  const ids = inventory(
    "zh",
    demoCatalogue().queues.map((q) => q.prefix),
  );
  await reference.load(ids);
  await reference.ready([ids]);
}, 120_000);

afterAll(async () => {
  await reference?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("voice announcements on a real hub", () => {
  let dataDir: string;
  const calls: { url: string; number: string; counterNumber: number }[] = [];
  const heard = new Map<string, Buffer>();
  /** Demo passwords are only told on the first start. */
  let clerkPassword: string;
  let t: TestHub | undefined;

  afterAll(async () => {
    await t?.close();
  });

  it("starts no process per call and serves each call's WAV assembled from the segments", async () => {
    dataDir = mkdtempSync(join(root, "data-"));
    t = await startTestHub({ dataDir, espeakPath: espeak, voiceSegmentCache: segments });
    // Start-up checks espeak-ng's version (its key of every segment); everything else is cached.
    expect(runs()).toEqual(["--version"]);

    clerkPassword = t.password("zhangwei");
    const clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
    const screen = t.socket();
    await connected(screen);
    await screen.emitWithAck("subscribe", { view: "hall" });
    for (let i = 0; i < 12; i++) {
      const ticket = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
      const ev = nextEvent(screen, "ticket:called", (e) => e.ticket.id === ticket.id);
      expect((await t.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status).toBe(200);
      const called = (await ev) as TicketCalled;
      expect(called.audioUrl).toMatch(/^\/api\/voice\/[0-9a-f]{32}\.wav$/);
      calls.push({ url: called.audioUrl as string, number: called.call.number, counterNumber: called.call.counterNumber });
      await t.api("POST", "/api/counters/c01/start", undefined, clerk);
      await t.api("POST", "/api/counters/c01/finish", undefined, clerk);
    }
    // The first eight are played before the restart; the last four never are.
    for (const c of calls.slice(0, 8)) {
      const r = await fetch(`${t.url}${c.url}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("audio/wav");
      const wav = Buffer.from(await r.arrayBuffer());
      const w = parseWav(wav);
      expect(w).toMatchObject({ format: 1, channels: 1, sampleRate: SAMPLE_RATE, bitsPerSample: 16 });
      expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
      // Exactly the segments of "请A0xx号到1号窗口办理" with their gaps.
      const expected = reference.assemble(callPlan(c.number, c.counterNumber, "zh"));
      expect(wav.equals(expected as Buffer)).toBe(true);
      heard.set(c.url, wav);
    }
    expect(new Set(calls.map((c) => c.url)).size).toBe(calls.length);
    // Twelve calls, eight played: still only the version check.
    expect(runs()).toEqual(["--version"]);
    screen.disconnect();
  });

  it("keeps serving the same WAV for calls made before a restart", async () => {
    await t?.close();
    t = await startTestHub({ dataDir, espeakPath: espeak, voiceSegmentCache: segments });
    for (const c of calls) {
      const r = await fetch(`${t.url}${c.url}`);
      expect({ url: c.url, status: r.status }).toEqual({ url: c.url, status: 200 });
      const wav = Buffer.from(await r.arrayBuffer());
      const before = heard.get(c.url) ?? reference.assemble(callPlan(c.number, c.counterNumber, "zh"));
      expect(wav.equals(before as Buffer)).toBe(true);
    }
    expect((await fetch(`${t.url}/api/voice/${"0".repeat(32)}.wav`)).status).toBe(404);
    expect(runs()).toEqual(["--version", "--version"]);
  });

  it("renders a new series letter when the catalogue changes, before any call needs it", async () => {
    const hub = t as TestHub;
    const admin = await hub.adminToken();
    const hall = (await hub.api<Catalogue>("GET", "/api/hall")).body;
    const used = hall.queues.map((q) => q.prefix).join("");
    const letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").find((l) => !used.includes(l)) as string;
    const edited = {
      ...hall,
      matters: hall.matters.map(({ initials: _i, ...m }) => m),
      queues: hall.queues.map((q) => (q.id === "q-a" ? { ...q, prefix: letter } : q)),
    };
    expect((await hub.api("PUT", "/api/catalogue", edited, admin)).status).toBe(200);
    // Rendered in the background, niced, with the pinyin voice: "… -w <tmp> X".
    await expect.poll(() => runs().filter((r) => r.endsWith(` ${letter}`)), { timeout: 60_000, interval: 100 }).toHaveLength(1);
    const rendered = runs().find((r) => r.endsWith(` ${letter}`)) as string;
    expect(rendered).toMatch(/^-v cmn-latn-pinyin -s 140 -w \S+ [A-Z]$/);
    const before = runs().length;

    const clerk = (await hub.login("zhangwei", clerkPassword)).token;
    const screen = hub.socket();
    await connected(screen);
    await screen.emitWithAck("subscribe", { view: "hall" });
    const ticket = (await hub.issue<IssuedTicket>({ matterId: "m-001" })).body;
    expect(ticket.number.startsWith(letter)).toBe(true);
    const ev = nextEvent(screen, "ticket:called", (e) => e.ticket.id === ticket.id);
    await hub.api("POST", "/api/counters/c01/sign-in", undefined, clerk);
    expect((await hub.api("POST", "/api/counters/c01/call-next", undefined, clerk)).status).toBe(200);
    const url = ((await ev) as TicketCalled).audioUrl as string;
    const wav = Buffer.from(await (await fetch(`${hub.url}${url}`)).arrayBuffer());
    const plan = callPlan(ticket.number, 1, "zh");
    expect(plan[1]?.[0]).toBe(`zh-${letter}`);
    await reference.ready(plan);
    expect(wav.equals(reference.assemble(plan) as Buffer)).toBe(true);
    expect(runs()).toHaveLength(before);
    screen.disconnect();
  });
});

describe("voice/announcer day folders", () => {
  it("keeps today's and yesterday's calls and prunes older ones when the day turns", async () => {
    const dir = mkdtempSync(join(root, "announcer-"));
    let day = "2026-03-01";
    const announcer = new Announcer(reference, { dir, day: () => day, log: () => {} });
    const first = announcer.urlFor({ number: "A001", counterNumber: 3 }) as string;
    const name = first.slice("/api/voice/".length);
    const file = await announcer.file(name);
    expect(file).toBe(join(dir, "calls", "2026-03-01", name));
    expect(parseWav(readFileSync(file as string)).data.length).toBeGreaterThan(SAMPLE_RATE);

    day = "2026-03-02";
    announcer.urlFor({ number: "A002", counterNumber: 3 });
    await announcer.close();
    expect(await announcer.file(name)).toBe(file);
    expect(readdirSync(join(dir, "calls")).sort()).toEqual(["2026-03-01", "2026-03-02"]);

    day = "2026-03-03";
    announcer.urlFor({ number: "A003", counterNumber: 3 });
    await announcer.close();
    expect(await announcer.file(name)).toBeUndefined();
    expect(readdirSync(join(dir, "calls")).sort()).toEqual(["2026-03-02", "2026-03-03"]);

    // The same words on a new day are filed under that day, so they outlive yesterday's folder.
    const again = announcer.urlFor({ number: "A002", counterNumber: 3 }) as string;
    await announcer.close();
    expect(existsSync(join(dir, "calls", "2026-03-03", again.slice("/api/voice/".length)))).toBe(true);
  });
});
