import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { callPlan, inventory, SEGMENTS } from "../../../hardware/voice/segments.ts";
import { toPinyinSpeech } from "../../../hardware/voice/text.ts";

describe("hardware/voice/segments callPlan", () => {
  it("splits a Chinese call into the words a hall caller records", () => {
    expect(callPlan("A001", 3, "zh")).toEqual([
      ["zh-qing"],
      ["zh-A", "zh-0", "zh-0", "zh-1", "zh-hao"],
      ["zh-dao", "zh-3", "zh-haochuangkou", "zh-banli"],
    ]);
    expect(callPlan("B120", 12, "zh")[2]).toEqual(["zh-dao", "zh-shi", "zh-2", "zh-haochuangkou", "zh-banli"]);
    expect(callPlan("C007", 105, "zh")[2]).toEqual(["zh-dao", "zh-yi4", "zh-bai", "zh-0", "zh-5", "zh-haochuangkou", "zh-banli"]);
  });

  it("says exactly what the whole-sentence speech said, for every counter up to 300", () => {
    for (let n = 0; n <= 300; n++) {
      const ticket = `GC${String(n % 1000).padStart(3, "0")}`;
      const spoken = callPlan(ticket, n, "zh")
        .flat()
        .map((id) => SEGMENTS.get(id)?.text)
        .join(" ");
      expect(spoken).toBe(toPinyinSpeech({ ticketNumber: ticket, counterNumber: n }));
    }
  });

  it("splits an English call and reads the counter number in words", () => {
    expect(callPlan("A001", 3, "en")).toEqual([["en-ticket"], ["en-A", "en-0", "en-0", "en-1"], ["en-please"], ["en-3"]]);
    expect(callPlan("B2", 12, "en")[3]).toEqual(["en-12"]);
    expect(callPlan("B2", 25, "en")[3]).toEqual(["en-20", "en-5"]);
    expect(callPlan("B2", 105, "en")[3]).toEqual(["en-1", "en-hundred", "en-5"]);
    expect(callPlan("B2", 2040, "en")[3]).toEqual(["en-2", "en-thousand", "en-40"]);
    for (let n = 0; n <= 12_000; n += 7) for (const id of callPlan("Z9", n, "en").flat()) expect(SEGMENTS.has(id)).toBe(true);
  });
});

describe("hardware/voice/segments inventory", () => {
  it("holds the fixed words and only the hall's series letters", () => {
    const zh = inventory("zh", ["A", "B", "GC"]);
    expect(zh).toContain("zh-qing");
    expect(zh).toContain("zh-haochuangkou");
    for (let d = 0; d <= 9; d++) expect(zh).toContain(`zh-${d}`);
    expect(zh.filter((id) => /^zh-[A-Z]$/.test(id)).sort()).toEqual(["zh-A", "zh-B", "zh-C", "zh-G"]);
    expect(zh.every((id) => id.startsWith("zh-"))).toBe(true);
    // Every segment a call can need is in the inventory (letters of its series aside).
    for (let n = 1; n <= 2000; n += 3)
      for (const id of callPlan("A123", n, "zh").flat()) expect(zh.includes(id) || id === "zh-A").toBe(true);
    const en = inventory("en", ["A"]);
    expect(en).toContain("en-please");
    expect(en.filter((id) => /^en-[A-Z]$/.test(id))).toEqual(["en-A"]);
  });
});

describe("docs/voice.md", () => {
  it("names the file of every segment a hall can record", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/voice.md"), "utf8");
    for (const s of SEGMENTS.values()) {
      if (/^[a-z]{2}-[A-Z]$/.test(s.id)) continue; // letters: one line covers A … Z
      expect(doc, s.id).toContain(`| \`${s.id}.wav\` | ${s.says} | \`${s.text}\` |`);
    }
    expect(doc).toContain("`zh-A.wav` … `zh-Z.wav`");
    expect(doc).toContain("`en-A.wav` … `en-Z.wav`");
  });
});
