/**
 * What a call says — pure, no I/O. Chinese is spoken by espeak-ng's `cmn-latn-pinyin`
 * voice, which reads tone-numbered pinyin ("qing3") far better than hanzi; English by `en`.
 *
 * Reading rules (as a hall's human announcer says them):
 * - the ticket number is spelled: A001 → "A ling2 ling2 yi1" (零零一, not 一号);
 * - the counter number is read as a number: 3 → san1, 12 → shi2 er4, 20 → er4 shi2,
 *   100 → yi4 bai3, 105 → yi4 bai3 ling2 wu3;
 * - letters are passed as capital letters standing alone: espeak-ng's Mandarin dictionary
 *   then says the letter names the way Chinese speakers do (A "ei", B "bi", C "sei",
 *   Q "kiu"), checked with `espeak-ng -x` in the tests.
 */
import { pinyin } from "pinyin-pro";

export type VoiceLang = "zh" | "en";

/** One call to announce. */
export interface CallText {
  ticketNumber: string;
  counterNumber: number;
  lang: VoiceLang;
}

/** The espeak-ng input for one announcement. */
export interface Speech {
  /** espeak-ng voice name (`-v`). */
  voice: "cmn-latn-pinyin" | "en";
  /** Text to speak; SSML when `ssml` (espeak-ng `-m`). */
  text: string;
  ssml: boolean;
}

const DIGITS = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"] as const;

function digit(d: number): string {
  const s = DIGITS[d];
  if (s === undefined) throw new RangeError(`not a digit: ${d}`);
  return s;
}

/** The sentence shown on screens: "请A001号到3号窗口办理" / "Ticket A001, please go to counter 3". */
export function callSentence(call: CallText): string {
  return call.lang === "zh"
    ? `请${call.ticketNumber}号到${call.counterNumber}号窗口办理`
    : `Ticket ${call.ticketNumber}, please go to counter ${call.counterNumber}`;
}

/** Tone-numbered pinyin of Chinese text, neutral tone as 5 (what espeak-ng expects). */
export function hanziToPinyin(text: string): string[] {
  return pinyin(text, { toneType: "num", type: "array" }).map((s) => s.replace(/0$/, "5"));
}

/** A ticket number spelled symbol by symbol; characters other than letters and digits are dropped. */
export function spellTicket(ticketNumber: string): string[] {
  const out: string[] = [];
  for (const ch of ticketNumber.toUpperCase()) {
    if (ch >= "0" && ch <= "9") out.push(digit(Number(ch)));
    else if (ch >= "A" && ch <= "Z") out.push(ch);
  }
  return out;
}

/**
 * A non-negative integer read as a Mandarin number. Up to 9999; larger numbers are spelled
 * digit by digit (no counter in a hall goes that high).
 */
export function numberToPinyin(n: number): string[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a counter number: ${n}`);
  if (n > 9999) return [...String(n)].map((d) => digit(Number(d)));
  if (n === 0) return [digit(0)];
  const units = ["", "shi2", "bai3", "qian1"] as const;
  const ds = [...String(n)].map(Number);
  const out: string[] = [];
  let zeroPending = false;
  ds.forEach((d, i) => {
    const place = ds.length - 1 - i;
    if (d === 0) {
      zeroPending = out.length > 0;
      return;
    }
    if (zeroPending) {
      out.push(digit(0));
      zeroPending = false;
    }
    // 十二, not 一十二, when ten leads; 一 before 百/千 is said yi4 (tone sandhi).
    if (!(d === 1 && place === 1 && i === 0)) out.push(d === 1 && place >= 2 && i === 0 ? "yi4" : digit(d));
    const unit = units[place];
    if (unit) out.push(unit);
  });
  return out;
}

/** The call spelled for `espeak-ng -v cmn-latn-pinyin`, e.g. "qing3 A ling2 ling2 yi1 hao4 dao4 san1 hao4 …". */
export function toPinyinSpeech(call: Pick<CallText, "ticketNumber" | "counterNumber">): string {
  return [
    ...hanziToPinyin("请"),
    ...spellTicket(call.ticketNumber),
    ...hanziToPinyin("号到"),
    ...numberToPinyin(call.counterNumber),
    ...hanziToPinyin("号窗口办理"),
  ].join(" ");
}

/** The espeak-ng input for a call in its language. */
export function callSpeech(call: CallText): Speech {
  if (call.lang === "zh") return { voice: "cmn-latn-pinyin", text: toPinyinSpeech(call), ssml: false };
  // Plain "Ticket A 0 0 1" makes espeak say the article "a"; say-as characters spells it.
  const ticket = call.ticketNumber.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return {
    voice: "en",
    text: `<speak>Ticket <say-as interpret-as="characters">${ticket}</say-as>, please go to counter ${call.counterNumber}.</speak>`,
    ssml: true,
  };
}
