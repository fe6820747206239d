/**
 * The running hub with its clock stepped back across midnight (an injected clock): it
 * holds the new day instead of reopening the closed one.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestHub, startTestHub } from "../../helpers/hub.ts";

const DAY = "2025-03-10";
const NEXT = "2025-03-11";

let t: TestHub;
const logs: string[] = [];
beforeAll(async () => {
  t = await startTestHub({ startAt: Date.parse(`${DAY}T23:58:00+08:00`), log: (l) => logs.push(l) });
});
afterAll(async () => {
  await t.close();
});

const day = async () => (await t.api<{ day: string }>("GET", "/api/health")).body.day;
const issue = async () => {
  const r = await t.issue({ matterId: "m-001" });
  expect(r.status).toBe(201);
  return r.body.number as string;
};

describe("hall/service clock stepped back, over HTTP", () => {
  it("keeps the new day and its numbering; the closed day's summary stays", async () => {
    expect(await day()).toBe(DAY);
    expect(await issue()).toBe("A001");
    t.advance(4 * 60_000); // 00:02 the next day
    expect(await issue()).toBe("A001");
    expect(await day()).toBe(NEXT);
    const summaryFile = join(t.dataDir, "summaries", `${DAY}.json`);
    let summary = "";
    for (let i = 0; i < 100 && !summary; i++)
      summary = await readFile(summaryFile, "utf8").catch(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return "";
      });
    expect(JSON.parse(summary)).toMatchObject({ day: DAY, issued: 1 });

    t.advance(-5 * 60_000); // the clock is corrected back to 23:57 of the closed day
    expect(await issue()).toBe("A002");
    expect(await day()).toBe(NEXT);
    expect(logs.some((l) => l.includes(`holding ${NEXT}`))).toBe(true);
    expect(await readFile(summaryFile, "utf8")).toBe(summary);
  });
});
