/**
 * What the hub gives the kiosk for search and for honest tickets, over real HTTP: full
 * pinyin and the synonym table in GET /api/hall (editable, validated, derived pinyin not
 * stored), the start-up warning when hall.publicUrl is unset, and the printed wait worded
 * as the screens word it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalogue, IssuedTicket } from "../../../server/src/contract/index.ts";
import { formatWait } from "../../../ui-shared/format.ts";
import { type TestHub, expectRejected, startTestHub } from "../../helpers/hub.ts";

let t: TestHub;
const logLines: string[] = [];

beforeAll(async () => {
  t = await startTestHub({ log: (l) => logLines.push(l) });
});

afterAll(async () => {
  await t?.close();
});

function printedLines(kiosk: string): string[][] {
  return (t.hub.devices.simulators(`printer-${kiosk}`)?.printerSim?.tickets ?? []).map((x) => x.lines);
}

async function printedCountAtLeast(kiosk: string, n: number): Promise<string[][]> {
  for (let i = 0; i < 100 && printedLines(kiosk).length < n; i++) await new Promise((r) => setTimeout(r, 20));
  return printedLines(kiosk);
}

describe("GET /api/hall for the kiosk search", () => {
  it("gives every matter its full pinyin, one syllable per character, and the synonym table with pinyin", async () => {
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    for (const m of cat.matters) expect(m.pinyin?.length, m.id).toBe(Array.from(m.name).length);
    const bdc = cat.matters.find((m) => m.name === "不动产转移登记（二手房买卖）");
    expect(bdc?.pinyin?.join(" ")).toBe("bu dong chan zhuan yi deng ji  er shou fang mai mai ");
    const syn = cat.synonyms?.find((s) => s.word === "营业执照");
    expect(syn).toEqual({
      word: "营业执照",
      terms: ["企业设立登记", "个体工商户注册登记"],
      pinyin: ["ying", "ye", "zhi", "zhao"],
    });
  });

  it("keeps the synonym table editable: an admin's change is served with fresh pinyin, a broken one is refused", async () => {
    const admin = await t.adminToken();
    const cat = (await t.api<Catalogue>("GET", "/api/hall")).body;
    // Sent back as served (pinyin included): the derived fields are dropped, not refused.
    const edited = { ...cat, synonyms: [...(cat.synonyms ?? []), { word: "结婚证", terms: ["户口迁入"] }] };
    const r = await t.api<Catalogue>("PUT", "/api/catalogue", edited, admin);
    expect(r.status).toBe(200);
    expect(r.body.synonyms?.at(-1)).toEqual({ word: "结婚证", terms: ["户口迁入"], pinyin: ["jie", "hun", "zheng"] });
    expect(JSON.stringify(t.hub.config.data.catalogue)).not.toContain('"pinyin"');

    const broken = { ...cat, synonyms: [{ word: "结婚证", terms: [] }] };
    const message = await expectRejected(
      t,
      { method: "PUT", path: "/api/catalogue", body: broken, auth: admin },
      400,
      "VALIDATION_FAILED",
    );
    expect(message).toContain("结婚证");
  });
});

describe("hall.publicUrl unset", () => {
  it("warns in the start log that ticket QR codes point at the kiosk's own address", () => {
    const warning = logLines.find((l) => l.includes("hall.publicUrl is not set"));
    expect(warning).toBeDefined();
    expect(warning).toContain("127.0.0.1");
  });
});

describe("the wait printed on the ticket", () => {
  it("is worded and rounded as on the kiosk screen, in the ticket's language", async () => {
    const before = printedLines("k1").length;
    const tickets: IssuedTicket[] = [];
    for (const lang of ["zh", "zh", "en"] as const) {
      const r = await t.issue<IssuedTicket>({ matterId: "m-044", kioskId: "k1", lang });
      expect(r.status).toBe(201);
      tickets.push(r.body);
    }
    const printed = (await printedCountAtLeast("k1", before + 3)).slice(before);
    expect(printed).toHaveLength(3);
    // Nobody is signed in at the real-estate counters: each waits at least one service time.
    const [a, b, c] = tickets as [IssuedTicket, IssuedTicket, IssuedTicket];
    expect(b.estimatedWaitSec).toBeGreaterThan(a.estimatedWaitSec);
    expect(printed[0]).toContain(`预计等候 ${formatWait(a.estimatedWaitSec, "zh")}`);
    expect(printed[1]).toContain(`预计等候 ${formatWait(b.estimatedWaitSec, "zh")}`);
    expect(printed[1]?.join("\n")).toMatch(/预计等候 约 \d+ 分钟|预计等候 约 \d 小时/);
    expect(printed[2]).toContain(`Estimated wait: ${formatWait(c.estimatedWaitSec, "en")}`);
  });
});
