/**
 * One schema per counter command, shared by both doors (issue 9): the same input is refused
 * alike over REST and over the socket's `counter:command`, with VALIDATION_FAILED and
 * nothing changed, and the same valid input is accepted by both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CounterSocketCommand } from "../../../server/src/contract/events.ts";
import { COUNTER_VERBS, SOCKET_VERBS } from "../../../server/src/hall/commands.ts";
import { type HubClient, connected, fingerprint, startTestHub, type TestHub } from "../../helpers/hub.ts";

const C = "c01";

/** Bad inputs, as the fields after `type` and `counterId` (REST: the body). */
const BAD: { type: CounterSocketCommand["type"]; fields: Record<string, unknown>; why: string }[] = [
  { type: "transfer", fields: {}, why: "no target" },
  { type: "transfer", fields: { toQueueId: "" }, why: "an empty target" },
  { type: "pause", fields: { reason: "   " }, why: "a blank reason" },
  { type: "finish", fields: { outcome: "done" }, why: "an outcome not in the list" },
  { type: "finish", fields: { missing: ["x".repeat(201)] }, why: "a missing item too long" },
  { type: "call-next", fields: { requestId: "" }, why: "an empty request id" },
  { type: "park", fields: { note: 5 }, why: "a note that is not text" },
  { type: "recall", fields: { extra: true }, why: "an unknown field" },
];

describe("hall/commands: REST and socket share one schema per counter command", () => {
  let t: TestHub;
  let token: string;
  let sock: HubClient;
  beforeAll(async () => {
    t = await startTestHub();
    token = (await t.login("zhangwei")).token;
    expect((await t.api("POST", `/api/counters/${C}/sign-in`, {}, token)).status).toBe(200);
    sock = t.socket({ token });
    await connected(sock);
  });
  afterAll(() => t?.close());

  it("the socket takes every verb of the table marked for it, and REST has a route for every verb", async () => {
    expect(SOCKET_VERBS).toEqual(Object.entries(COUNTER_VERBS).flatMap(([v, d]) => (d.socket ? [v] : [])));
    for (const verb of Object.keys(COUNTER_VERBS)) {
      const path = verb === "call" ? "call/none" : verb;
      // An unknown field is refused by the schema before anything runs: the route exists.
      const r = await t.api("POST", `/api/counters/${C}/${path}`, { unknownField: 1 }, token);
      expect([r.status, r.body.error?.code], verb).toEqual([400, "VALIDATION_FAILED"]);
    }
  });

  for (const bad of BAD) {
    it(`refuses ${bad.type} with ${bad.why} at both doors, changing nothing`, async () => {
      const before = await fingerprint(t);
      const rest = await t.api("POST", `/api/counters/${C}/${bad.type}`, bad.fields, token);
      expect([rest.status, rest.body.error?.code]).toEqual([400, "VALIDATION_FAILED"]);
      const ack = await sock.emitWithAck("counter:command", { type: bad.type, counterId: C, ...bad.fields } as never);
      expect(ack).toMatchObject({ ok: false, error: "VALIDATION_FAILED" });
      expect(await fingerprint(t)).toEqual(before);
    });
  }

  it("accepts the same valid command at both doors", async () => {
    const viaRest = await t.api("POST", `/api/counters/${C}/pause`, { reason: "培训" }, token);
    expect(viaRest.status).toBe(200);
    expect(viaRest.body).toMatchObject({ id: C, status: "paused", pauseReason: "培训" });
    expect((await t.api("POST", `/api/counters/${C}/resume`, {}, token)).status).toBe(200);
    const ack = await sock.emitWithAck("counter:command", { type: "pause", counterId: C, reason: "培训" });
    expect(ack).toMatchObject({ ok: true, data: { counter: { id: C, status: "paused", pauseReason: "培训" } } });
  });
});
