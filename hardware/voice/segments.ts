/**
 * The words a call is assembled from — pure, no I/O. Chinese hall callers concatenate
 * recorded words: 请 · A · 零 · 零 · 一 · 号 · 到 · 三 · 号窗口 · 办理. Every segment has an
 * id (also the file name, `<id>.wav`, of a human recording that replaces it; see
 * docs/voice.md), the espeak-ng input that synthesises it, and what a person would say.
 *
 * The set is small and closed: fixed phrases, digits, number words (十 百 千), and the
 * letters of the hall's ticket series. Counter numbers are read from number words
 * (12 → 十 二), so a new counter never needs a new segment.
 */
import { numberToPinyin, spellTicket, type VoiceLang } from "./text.ts";

/** One word or phrase of an announcement. */
export interface SegmentDef {
  /** File-name-safe id, e.g. "zh-qing", "zh-3", "zh-A", "en-ticket". */
  id: string;
  lang: VoiceLang;
  /** espeak-ng voice (`-v`). */
  voice: "cmn-latn-pinyin" | "en";
  /** espeak-ng input; SSML when `ssml`. */
  text: string;
  ssml: boolean;
  /** What it says, for people recording it. */
  says: string;
}

/** An announcement as phrases of segment ids: short gaps inside a phrase, longer between. */
export type SegmentPlan = readonly (readonly string[])[];

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const ZH_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"] as const;
const PINYIN_DIGITS = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"] as const;
const EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;
const EN_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

const zh = (id: string, pinyin: string, says: string): SegmentDef => ({
  id: `zh-${id}`,
  lang: "zh",
  voice: "cmn-latn-pinyin",
  text: pinyin,
  ssml: false,
  says,
});
const en = (id: string, text: string, says = text, ssml = false): SegmentDef => ({
  id: `en-${id}`,
  lang: "en",
  voice: "en",
  text,
  ssml,
  says,
});

/** Every segment there can be, by id. Letters are all here; a hall renders only its own. */
export const SEGMENTS: ReadonlyMap<string, SegmentDef> = new Map(
  [
    zh("qing", "qing3", "请"),
    zh("hao", "hao4", "号 (after the ticket number)"),
    zh("dao", "dao4", "到"),
    zh("haochuangkou", "hao4 chuang1 kou3", "号窗口"),
    zh("banli", "ban4 li3", "办理"),
    ...PINYIN_DIGITS.map((p, d) => zh(String(d), p, ZH_DIGITS[d] as string)),
    zh("yi4", "yi4", "一 as in 一百, 一千 (fourth tone)"),
    zh("shi", "shi2", "十"),
    zh("bai", "bai3", "百"),
    zh("qian", "qian1", "千"),
    // A capital standing alone: espeak-ng's Mandarin dictionary says the letter name the
    // way Chinese speakers do (A "ei", B "bi").
    ...LETTERS.map((l) => zh(l, l, `${l} (letter name)`)),
    en("ticket", "Ticket"),
    en("please", "please go to counter"),
    ...EN_DIGITS.map((w, d) => en(String(d), w)),
    ...EN_TEENS.map((w, i) => en(String(10 + i), w)),
    ...EN_TENS.flatMap((w, i) => (w ? [en(String(i * 10), w)] : [])),
    en("hundred", "hundred"),
    en("thousand", "thousand"),
    // SSML say-as spells the letter; plain "A" would be read as the article.
    ...LETTERS.map((l) => en(l, `<speak><say-as interpret-as="characters">${l}</say-as></speak>`, `${l} (letter name)`, true)),
  ].map((s) => [s.id, s]),
);

const PINYIN_ID = new Map<string, string>([
  ...PINYIN_DIGITS.map((p, d): [string, string] => [p, `zh-${d}`]),
  ["yi4", "zh-yi4"],
  ["shi2", "zh-shi"],
  ["bai3", "zh-bai"],
  ["qian1", "zh-qian"],
]);

/** Symbols of a ticket number that are spoken (letters and digits), upper case. */
function ticketSymbols(ticketNumber: string): string[] {
  return [...ticketNumber.toUpperCase()].filter((c) => (c >= "A" && c <= "Z") || (c >= "0" && c <= "9"));
}

/** A counter number in English words: 3 → three, 25 → twenty five, 105 → one hundred five. */
function englishNumber(n: number): string[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a counter number: ${n}`);
  if (n > 9999) return [...String(n)].map((d) => `en-${d}`);
  if (n === 0) return ["en-0"];
  const out: string[] = [];
  const thousands = Math.floor(n / 1000);
  const hundreds = Math.floor((n % 1000) / 100);
  const rest = n % 100;
  if (thousands) out.push(`en-${thousands}`, "en-thousand");
  if (hundreds) out.push(`en-${hundreds}`, "en-hundred");
  if (rest >= 20) {
    out.push(`en-${rest - (rest % 10)}`);
    if (rest % 10) out.push(`en-${rest % 10}`);
  } else if (rest > 0) out.push(`en-${rest}`);
  return out;
}

/**
 * The segments of a call, in phrases: 请 | A 零 零 一 号 | 到 三 号窗口 办理, or
 * Ticket | A zero zero one | please go to counter | three. Says the same words as
 * `toPinyinSpeech` / `callSpeech` in text.ts.
 */
export function callPlan(ticketNumber: string, counterNumber: number, lang: VoiceLang): SegmentPlan {
  if (lang === "zh") {
    const ticket = spellTicket(ticketNumber).map((s) => (s.length === 1 ? `zh-${s}` : (PINYIN_ID.get(s) as string)));
    const counter = numberToPinyin(counterNumber).map((s) => PINYIN_ID.get(s) as string);
    return [["zh-qing"], [...ticket, "zh-hao"], ["zh-dao", ...counter, "zh-haochuangkou", "zh-banli"]];
  }
  const ticket = ticketSymbols(ticketNumber).map((c) => `en-${c}`);
  return [["en-ticket"], ticket, ["en-please"], englishNumber(counterNumber)];
}

/**
 * The segments a hall needs in a language: every fixed phrase, digit and number word, and
 * the letters of its ticket series (`prefixes`, e.g. ["A", "B", "GC"]). Any other letter is
 * made the first time a ticket needs it.
 */
export function inventory(lang: VoiceLang, prefixes: readonly string[]): string[] {
  const letters = new Set(prefixes.flatMap((p) => ticketSymbols(p).filter((c) => c >= "A")));
  return [...SEGMENTS.values()]
    .filter((s) => s.lang === lang && (!/^[a-z]{2}-[A-Z]$/.test(s.id) || letters.has(s.id.slice(3))))
    .map((s) => s.id);
}
