import { describe, expect, it } from "vitest";
import { withInitials } from "../../server/src/catalogue/initials.ts";
import { demoCatalogue } from "../../server/src/seed/demo-hall.ts";
import {
  SCORE,
  applyCandidate,
  buildVocabulary,
  composing,
  matchScore,
  matchesMatter,
  pinyinCandidates,
  queryTerms,
  searchMatters,
} from "../../ui-shared/search.ts";

const BDC = { name: "不动产登记", nameEn: "Real-estate registration", initials: "bdcdj" };
const SB = { name: "社保卡申领", nameEn: "Social security card", initials: "sbksl" };
const DB = { name: "个人独资企业登记", nameEn: "Sole proprietorship registration", initials: "grdzqydj" };
const NOINI = { name: "护照办理", nameEn: "Passport" };

describe("ui-shared/search pinyin-initials match", () => {
  it("finds 不动产登记 by its initials 'bdc'", () => {
    expect(matchesMatter(BDC, "bdc")).toBe(true);
    expect(matchesMatter(BDC, "BDC")).toBe(true);
    expect(matchesMatter(SB, "bdc")).toBe(false);
  });

  it("matches the Chinese name and the English name, case-insensitive", () => {
    expect(matchesMatter(BDC, "登记")).toBe(true);
    expect(matchesMatter(BDC, "real estate")).toBe(true);
    expect(matchesMatter(SB, "SOCIAL")).toBe(true);
    expect(matchesMatter(NOINI, "pass")).toBe(true);
    expect(matchesMatter(NOINI, "hz")).toBe(false);
  });

  it("ranks prefix matches first and keeps everything on an empty query", () => {
    expect(searchMatters([BDC, DB, SB], "g").map((m) => m.name)).toEqual(["个人独资企业登记", "不动产登记"]);
    expect(searchMatters([SB, BDC], "bdc").map((m) => m.name)).toEqual(["不动产登记"]);
    expect(searchMatters([DB, BDC], "登记").map((m) => m.name)).toEqual(["个人独资企业登记", "不动产登记"]);
    expect(searchMatters([DB, BDC, SB], "  ")).toHaveLength(3);
    expect(searchMatters([DB, BDC, SB], "zzz")).toEqual([]);
  });
});

// The demo hall's catalogue as the kiosk receives it (pinyin filled in by the hub).
const CAT = withInitials(demoCatalogue());
const SYN = CAT.synonyms ?? [];
const byName = (name: string) => {
  const m = CAT.matters.find((x) => x.name === name);
  if (!m) throw new Error(`no matter ${name}`);
  return m;
};
const names = (query: string, lang: "zh" | "en" = "zh") =>
  searchMatters(CAT.matters, query, { lang, synonyms: SYN }).map((m) => m.name);

describe("ui-shared/search as visitors search", () => {
  it("finds matters by full pinyin, whole or begun, at syllable starts only", () => {
    const bdc = CAT.matters.filter((m) => m.name.startsWith("不动产")).map((m) => m.name);
    expect(names("budongchan").slice(0, bdc.length)).toEqual(bdc);
    expect(names("budongch").slice(0, bdc.length)).toEqual(bdc);
    // Pinyin inside a name ("dengji" of 不动产变更登记) also counts, after prefixes.
    expect(names("biangengdengji")).toContain("不动产变更登记");
    // "an" is inside "chan" but starts no syllable of 不动产登记资料查询: not a pinyin match.
    expect(matchScore(byName("不动产登记资料查询"), "an", { synonyms: SYN })).toBe(0);
    expect(matchScore(byName("户口迁入"), "hukou", { synonyms: SYN })).toBe(SCORE.pinyinPrefix);
  });

  it("finds the official matter from an everyday word, above a mere material match", () => {
    const r = names("营业执照");
    expect(r[0]).toBe("企业设立登记");
    expect(r[1]).toBe("个体工商户注册登记");
    // 国有建设用地…竞买报名 asks for 营业执照副本: found, but last.
    expect(r).toContain("国有建设用地使用权挂牌出让竞买报名");
    expect(matchScore(byName("国有建设用地使用权挂牌出让竞买报名"), "营业执照", { synonyms: SYN })).toBe(SCORE.material);
    // 房产证 stands for every 不动产 matter; matters that only ask for one (户口迁入) follow.
    const bdc = CAT.matters.filter((m) => m.name.includes("不动产")).map((m) => m.name);
    expect(names("房产证").slice(0, bdc.length)).toEqual(bdc);
    expect(names("房产证").slice(bdc.length)).toContain("户口迁入");
    // The word inside a longer phrase, and typed in pinyin.
    expect(names("办营业执照")[0]).toBe("企业设立登记");
    expect(names("yingyezhizhao")[0]).toBe("企业设立登记");
    expect(names("驾照")).toEqual(["机动车驾驶证换证"]);
  });

  it("ranks exact name > prefix > contains > synonym > pinyin > initials > other language > material", () => {
    const m = {
      name: "社保卡申领",
      nameEn: "Social security card",
      pinyin: ["she", "bao", "ka", "shen", "ling"],
      initials: "sbksl",
    };
    const o = { synonyms: [{ word: "医保卡", terms: ["社保卡"], pinyin: ["yi", "bao", "ka"] }] };
    const scores = [
      matchScore(m, "社保卡申领", o),
      matchScore(m, "社保", o),
      matchScore(m, "申领", o),
      matchScore(m, "医保卡", o),
      matchScore(m, "shebao", o),
      matchScore(m, "baoka", o),
      matchScore(m, "sbk", o),
      matchScore(m, "bks", o),
      matchScore(m, "social", o),
      matchScore({ ...m, materials: ["户口簿"] }, "户口簿", o),
    ];
    expect(scores).toEqual([
      SCORE.exact,
      SCORE.prefix,
      SCORE.contains,
      SCORE.synonym,
      SCORE.pinyinPrefix,
      SCORE.pinyin,
      SCORE.initialsPrefix,
      SCORE.initials,
      SCORE.otherLanguage,
      SCORE.material,
    ]);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // On the English page the English name is "the name".
    expect(matchScore(m, "social", { ...o, lang: "en" })).toBe(SCORE.prefix);
  });

  it("keeps catalogue order among equal matches, and needs every term of a mixed query", () => {
    const a = { name: "甲证申领", nameEn: "A", pinyin: ["jia", "zheng", "shen", "ling"] };
    const b = { name: "乙证申领", nameEn: "B", pinyin: ["yi", "zheng", "shen", "ling"] };
    expect(searchMatters([b, a], "申领").map((m) => m.name)).toEqual(["乙证申领", "甲证申领"]);
    expect(searchMatters([a, b], "申领").map((m) => m.name)).toEqual(["甲证申领", "乙证申领"]);
    expect(queryTerms("不动产dengji  抵押")).toEqual(["不动产", "dengji", "抵押"]);
    expect(names("不动产zhuanyi")).toEqual([
      "不动产转移登记（二手房买卖）",
      "不动产转移登记（新建商品房）",
      "不动产继承转移登记",
    ]);
    expect(names("不动产 qwxz")).toEqual([]);
  });
});

describe("ui-shared/search pinyin candidate bar", () => {
  const vocab = buildVocabulary(CAT.matters, SYN);

  it("offers the catalogue's characters for a syllable, most frequent first", () => {
    const bu = pinyinCandidates(vocab, "bu").map((c) => c.text);
    expect(bu[0]).toBe("不");
    expect(bu).toContain("补");
    expect(bu.every((t) => [...t].length === 1)).toBe(true);
    // Frequency decides: 登 (登记, everywhere) before the rarer "deng"-less d… characters.
    expect(pinyinCandidates(vocab, "d")[0]?.text).toBe("登");
  });

  it("offers whole words for several syllables, then words whose last syllable is begun, then first parts", () => {
    expect(pinyinCandidates(vocab, "budongchan")[0]).toEqual({ text: "不动产", used: 10 });
    expect(pinyinCandidates(vocab, "budo")[0]).toEqual({ text: "不动", used: 4 });
    // "zhu" begins 转 (zhuan): 不动产转 spells it all with its last syllable begun.
    expect(pinyinCandidates(vocab, "budongchanzhu")[0]).toEqual({ text: "不动产转", used: 13 });
    // Nothing spells all of "budongchanx": 不动产 takes its first ten letters, "x" stays to compose.
    expect(pinyinCandidates(vocab, "budongchanx")[0]).toEqual({ text: "不动产", used: 10 });
    expect(applyCandidate("budongchanx", { text: "不动产", used: 10 })).toBe("不动产x");
    expect(applyCandidate("户口bu", { text: "不", used: 2 })).toBe("户口不");
    expect(pinyinCandidates(vocab, "xqz")).toEqual([]);
    expect(pinyinCandidates(vocab, "")).toEqual([]);
    expect(pinyinCandidates(vocab, "d", 3)).toHaveLength(3);
  });

  it("composes only the letters at the end of the query", () => {
    expect(composing("不动产dengji")).toBe("dengji");
    expect(composing("不动产")).toBe("");
    expect(composing("BU")).toBe("bu");
  });
});
