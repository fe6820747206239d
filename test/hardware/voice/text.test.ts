import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { callSentence, callSpeech, numberToPinyin, spellTicket, toPinyinSpeech } from "../../../hardware/voice/text.ts";

describe("hardware/voice/text callSentence", () => {
  it("says the call in Chinese and English", () => {
    expect(callSentence({ ticketNumber: "A001", counterNumber: 3, lang: "zh" })).toBe("请A001号到3号窗口办理");
    expect(callSentence({ ticketNumber: "A001", counterNumber: 3, lang: "en" })).toBe("Ticket A001, please go to counter 3");
    expect(callSentence({ ticketNumber: "B120", counterNumber: 12, lang: "zh" })).toBe("请B120号到12号窗口办理");
  });
});

describe("hardware/voice/text toPinyinSpeech", () => {
  it("spells the ticket digit by digit and reads the counter as a number", () => {
    expect(toPinyinSpeech({ ticketNumber: "A001", counterNumber: 3 })).toBe(
      "qing3 A ling2 ling2 yi1 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3",
    );
    expect(toPinyinSpeech({ ticketNumber: "B120", counterNumber: 12 })).toBe(
      "qing3 B yi1 er4 ling2 hao4 dao4 shi2 er4 hao4 chuang1 kou3 ban4 li3",
    );
  });

  it("reads counter numbers the way a person says them", () => {
    const read = (n: number) => numberToPinyin(n).join(" ");
    expect(read(0)).toBe("ling2");
    expect(read(7)).toBe("qi1");
    expect(read(10)).toBe("shi2");
    expect(read(11)).toBe("shi2 yi1");
    expect(read(20)).toBe("er4 shi2");
    expect(read(25)).toBe("er4 shi2 wu3");
    expect(read(100)).toBe("yi4 bai3");
    expect(read(101)).toBe("yi4 bai3 ling2 yi1");
    expect(read(110)).toBe("yi4 bai3 yi1 shi2");
    expect(read(150)).toBe("yi4 bai3 wu3 shi2");
    expect(read(1005)).toBe("yi4 qian1 ling2 wu3");
    expect(read(2020)).toBe("er4 qian1 ling2 er4 shi2");
    expect(() => numberToPinyin(-1)).toThrow(RangeError);
  });

  it("spells letters as standalone capitals and drops other symbols", () => {
    expect(spellTicket("ab-09")).toEqual(["A", "B", "ling2", "jiu3"]);
  });

  it("gives every letter a distinct, non-empty sound in espeak-ng's pinyin voice", () => {
    // Ask espeak-ng for the phonemes (-x, no audio -q) of each letter as toPinyinSpeech
    // emits it; an empty or duplicate result would make tickets unintelligible.
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
    const phonemes = letters.map((l) =>
      execFileSync("espeak-ng", ["-q", "-x", "-v", "cmn-latn-pinyin", spellTicket(l).join(" ")], {
        encoding: "utf8",
      }).trim(),
    );
    for (const p of phonemes) expect(p.replace(/[_|\s]/g, "")).not.toBe("");
    expect(new Set(phonemes).size).toBe(letters.length);
    // A is "ei" as in Chinese letter names, not the pinyin vowel "a".
    expect(phonemes[0]).toContain("ei");
  });
});

describe("hardware/voice/text callSpeech", () => {
  it("uses the pinyin voice for Chinese and SSML character spelling for English", () => {
    expect(callSpeech({ ticketNumber: "A001", counterNumber: 3, lang: "zh" })).toEqual({
      voice: "cmn-latn-pinyin",
      text: "qing3 A ling2 ling2 yi1 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3",
      ssml: false,
    });
    expect(callSpeech({ ticketNumber: "A001<x>", counterNumber: 3, lang: "en" })).toEqual({
      voice: "en",
      text: '<speak>Ticket <say-as interpret-as="characters">A001X</say-as>, please go to counter 3.</speak>',
      ssml: true,
    });
  });
});
