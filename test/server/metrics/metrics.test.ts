/**
 * GET /metrics on a real hub, read with fetch and parsed as Prometheus text exposition:
 * who may read it, and that the hub's own histograms move when the hall works (a call over
 * the socket, an issue, a journal fsync) and its gauges say what is connected and online.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceStatus } from "../../../server/src/contract/devices.ts";
import type { IssuedTicket } from "../../../server/src/contract/events.ts";
import {
  fractionAtMost,
  histogramDelta,
  histogramQuantile,
  parseExposition,
  type Sample,
  sampleValue as value,
} from "../../../server/src/metrics/exposition.ts";
import { connected, startTestHub, type TestHub } from "../../helpers/hub.ts";

describe("GET /metrics", () => {
  let t: TestHub;
  let admin: string;
  let clerk: string;

  const scrape = async (): Promise<Sample[]> => {
    const r = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await r.text());
  };

  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.adminToken();
    clerk = (await t.login("zhangwei")).token;
    expect((await t.api("POST", "/api/counters/c01/sign-in", undefined, clerk)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers admins only: no token 401, a clerk 403, with closed codes", async () => {
    const anon = await t.api<{ error: { code: string } }>("GET", "/metrics");
    expect([anon.status, anon.body.error.code]).toEqual([401, "UNAUTHENTICATED"]);
    const byClerk = await t.api<{ error: { code: string } }>("GET", "/metrics", undefined, clerk);
    expect([byClerk.status, byClerk.body.error.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("a call over the socket moves the call histograms; an issue moves the issue and fsync histograms", async () => {
    const before = await scrape();
    const issued = await t.issue<IssuedTicket>({ matterId: "m-001" });
    expect(issued.status).toBe(201);
    const page = t.socket({ token: clerk });
    await connected(page);
    const ack = await page.timeout(3000).emitWithAck("counter:command", { type: "call-next", counterId: "c01" } as never);
    expect((ack as { ok: boolean }).ok).toBe(true);
    page.disconnect();
    const after = await scrape();

    const call = { command: "call-next" };
    const d = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(d("onevisit_command_seconds_count", call)).toBe(1);
    expect(d("onevisit_command_hub_seconds_count", call)).toBe(1);
    // The hub's own share never exceeds the whole (it is the whole less the disk wait).
    expect(d("onevisit_command_hub_seconds_sum", call)).toBeLessThanOrEqual(d("onevisit_command_seconds_sum", call));
    expect(d("onevisit_command_seconds_sum", call)).toBeGreaterThan(0);
    // What the hub adds leaves out Socket.IO's own emit (the call went out as a broadcast,
    // timed apart), so it is never above the hub's share.
    expect(d("onevisit_command_added_seconds_count", call)).toBe(1);
    expect(d("onevisit_command_added_seconds_sum", call)).toBeLessThanOrEqual(d("onevisit_command_hub_seconds_sum", call));
    expect(d("onevisit_broadcast_seconds_count")).toBeGreaterThanOrEqual(2);
    // Cumulative buckets: +Inf holds the call, and no bucket counts more than +Inf.
    const inf = value(after, "onevisit_command_seconds_bucket", { ...call, le: "+Inf" });
    expect(inf).toBe(value(after, "onevisit_command_seconds_count", call));
    for (const b of after.filter((s) => s.name === "onevisit_command_seconds_bucket" && s.labels.command === "call-next"))
      expect(b.value).toBeLessThanOrEqual(inf);

    // Read back as the bench does: the interval's histogram has the one call, its quantile
    // lies inside the buckets, and the hub's share is not above the whole.
    const whole = histogramDelta(before, after, "onevisit_command_seconds", call);
    const own = histogramDelta(before, after, "onevisit_command_hub_seconds", call);
    expect(whole.count).toBe(1);
    expect(histogramQuantile(whole, 0.99)).toBeGreaterThan(0);
    expect(histogramQuantile(own, 0.99)).toBeLessThanOrEqual(histogramQuantile(whole, 0.99));
    expect(fractionAtMost(whole, 2.5)).toBe(1);

    expect(d("onevisit_issue_seconds_count", { print: "no" })).toBe(1);
    // The issue and the call (and the sign-in before) were each made durable by an fsync.
    expect(d("onevisit_journal_fsync_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(d("onevisit_journal_bytes_total")).toBeGreaterThan(0);
  });

  it("a refused command counts as an error, not as a latency sample", async () => {
    const before = await scrape();
    const page = t.socket({ token: clerk });
    await connected(page);
    // c02 is nobody's: zhangwei may not act there.
    const ack = (await page.timeout(3000).emitWithAck("counter:command", { type: "start", counterId: "c02" } as never)) as {
      ok: boolean;
    };
    expect(ack.ok).toBe(false);
    page.disconnect();
    const after = await scrape();
    const start = { command: "start" };
    expect(value(after, "onevisit_command_errors_total", start) - value(before, "onevisit_command_errors_total", start)).toBe(1);
    expect(value(after, "onevisit_command_seconds_count", start)).toBe(value(before, "onevisit_command_seconds_count", start));
  });

  it("sockets per room follow the subscriptions", async () => {
    const screens = [t.socket(), t.socket()];
    for (const s of screens) {
      await connected(s);
      const r = (await s.timeout(3000).emitWithAck("subscribe", { view: "hall" } as never)) as { ok: boolean };
      expect(r.ok).toBe(true);
    }
    const phone = t.socket();
    await connected(phone);
    const ticket = (await t.issue<IssuedTicket>({ matterId: "m-001" })).body;
    await phone.timeout(3000).emitWithAck("subscribe", { view: "ticket", ticketId: ticket.id } as never);
    const s = await scrape();
    expect(value(s, "onevisit_room_sockets", { room: "hall" })).toBeGreaterThanOrEqual(2);
    expect(value(s, "onevisit_room_sockets", { room: "ticket:*" })).toBeGreaterThanOrEqual(1);
    expect(value(s, "onevisit_sockets")).toBeGreaterThanOrEqual(3);
    // No series per socket id (every socket sits in a room named by its id).
    expect(s.filter((x) => x.name === "onevisit_room_sockets").length).toBeLessThan(10);
    for (const x of [...screens, phone]) x.disconnect();
  });

  it("device health: one up/down series per device, and a printer out of paper shows it", async () => {
    const devices = (await t.api<DeviceStatus[]>("GET", "/api/devices", undefined, admin)).body;
    let s = await scrape();
    expect(s.filter((x) => x.name === "onevisit_device_up").length).toBe(devices.length);
    expect(value(s, "onevisit_device_up", { device: "printer-k1" })).toBe(1);
    const sim = await t.api<DeviceStatus>("POST", "/api/devices/printer-k1/simulate", { fault: "paper_out" }, admin);
    expect(sim.status).toBe(200);
    // The printer's status is polled: wait (bounded) until the hub has heard the fault.
    for (let i = 0; i < 60; i++) {
      s = await scrape();
      if (value(s, "onevisit_device_up", { device: "printer-k1" }) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(value(s, "onevisit_device_up", { device: "printer-k1" })).toBe(0);
    expect(value(s, "onevisit_device_health", { device: "printer-k1", health: "paper_out" })).toBe(1);
    expect(value(s, "onevisit_device_health", { device: "printer-k1", health: "online" })).toBe(0);
    await t.api("POST", "/api/devices/printer-k1/simulate", { fault: "ok" }, admin);
  });

  it("event-loop delay and memory are there", async () => {
    const s = await scrape();
    expect(value(s, "onevisit_event_loop_delay_seconds", { quantile: "0.99" })).toBeGreaterThan(0);
    expect(value(s, "onevisit_memory_bytes", { kind: "rss" })).toBeGreaterThan(10 * 2 ** 20);
  });
});
