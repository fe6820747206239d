/**
 * Kiosk search, as visitors search: by the matter's name (Chinese or English), by
 * everyday words from the catalogue's synonym table ("营业执照" → 企业设立登记), by full
 * pinyin ("budongchan"), by pinyin initials ("bdc"), and by a required material. The hub
 * fills `matter.pinyin` / `matter.initials` / `synonym.pinyin`, so no pinyin dictionary
 * ships to the browser.
 *
 * Ranking, best first (then catalogue order, so equal matches never jump around):
 * exact name > name prefix > name contains > synonym > full pinyin > initials >
 * the other language's name > material. A query of several terms ("不动产 抵押",
 * "不动产dengji": Chinese and letters split) matches when every term does; its rank is
 * its weakest term's.
 *
 * The on-screen keyboard's candidate bar ({@link pinyinCandidates}) offers the catalogue's
 * own characters and words for the letters being typed, most frequent first.
 */
import type { Matter, Synonym } from "../server/src/contract/index.ts";

/** What search reads of a matter. */
export type SearchableMatter = Pick<Matter, "name" | "nameEn" | "initials" | "pinyin"> & { materials?: readonly string[] };

/** What search reads of a synonym. */
export type SearchableSynonym = Pick<Synonym, "word" | "terms" | "pinyin">;

/** Match strengths (higher is better); exported for tests and for pages that explain a hit. */
export const SCORE = {
  exact: 100,
  prefix: 90,
  contains: 80,
  synonym: 70,
  pinyinPrefix: 62,
  pinyin: 60,
  synonymPinyin: 56,
  initialsPrefix: 52,
  initials: 50,
  otherLanguage: 40,
  material: 30,
} as const;

/** Options of {@link searchMatters} / {@link matchScore}. */
export interface SearchOptions {
  /** The page's language: its name counts as "the name", the other one ranks lower. Default zh. */
  lang?: "zh" | "en";
  /** The catalogue's synonym table. */
  synonyms?: readonly SearchableSynonym[];
}

const HAN = /\p{Script=Han}/u;
const LATIN = /[a-z0-9]/;

function norm(s: string): string {
  return s.toLowerCase().replace(/\s+/g, "");
}

/**
 * Terms of a query: split at spaces and wherever Chinese meets letters, so a query typed as
 * "不动产" then "dengji" on the keyboard reads as two terms.
 */
export function queryTerms(query: string): string[] {
  const out: string[] = [];
  for (const word of query.toLowerCase().split(/\s+/)) {
    let cur = "";
    let curHan: boolean | null = null;
    for (const ch of word) {
      const han = HAN.test(ch);
      if (curHan !== null && han !== curHan && cur) {
        out.push(cur);
        cur = "";
      }
      cur += ch;
      curHan = han;
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** Syllables without the "" entries of punctuation. */
function syllables(pinyin: readonly string[] | undefined): string[] {
  return (pinyin ?? []).filter((s) => s !== "");
}

/** 0 = the joined syllables start with `q` at syllable 0; 1 = at a later syllable; -1 = no. */
function pinyinHit(sylls: readonly string[], q: string): -1 | 0 | 1 {
  for (let i = 0; i < sylls.length; i++) {
    let acc = "";
    for (let j = i; j < sylls.length && acc.length < q.length; j++) acc += sylls[j];
    if (acc.startsWith(q)) return i === 0 ? 0 : 1;
  }
  return -1;
}

function initialsOf(sylls: readonly string[]): string {
  return sylls.map((s) => s[0] ?? "").join("");
}

/** Whether a synonym's word answers the term (Chinese or pinyin). */
function synonymScore(s: SearchableSynonym, q: string): number {
  if (HAN.test(q)) {
    // The visitor's word itself, its beginning ("营业" of 营业执照), or a longer phrase around it ("办营业执照").
    if (s.word === q || (q.length >= 2 && s.word.startsWith(q)) || q.includes(s.word)) return SCORE.synonym;
    return 0;
  }
  if (!LATIN.test(q) || q.length < 2) return 0;
  const sylls = syllables(s.pinyin);
  if (sylls.length === 0) return 0;
  if (pinyinHit(sylls, q) === 0) return SCORE.synonymPinyin;
  if (q.length >= 2 && initialsOf(sylls).startsWith(q)) return SCORE.initials;
  return 0;
}

const NO_SYNONYMS: readonly SearchableSynonym[] = [];
/** Per synonym table: query term → the synonyms answering it, in table order, with their score. */
const answered = new WeakMap<readonly SearchableSynonym[], Map<string, { score: number; terms: readonly string[] }[]>>();

/**
 * The synonyms that answer a term. Whether one does depends on the term only, not on the
 * matter: worked out once per term and table, not once per matter (1,410 matters × 90 words
 * made each keystroke of the reference hall's kiosk cost ~10× the demo's).
 */
function answering(synonyms: readonly SearchableSynonym[], q: string): { score: number; terms: readonly string[] }[] {
  let byTerm = answered.get(synonyms);
  if (!byTerm) {
    byTerm = new Map();
    answered.set(synonyms, byTerm);
  }
  let hits = byTerm.get(q);
  if (!hits) {
    hits = [];
    for (const s of synonyms) {
      const score = synonymScore(s, q);
      if (score > 0) hits.push({ score, terms: s.terms });
    }
    // A kiosk types for hours: keep the terms of the last few searches only.
    if (byTerm.size >= 256) byTerm.clear();
    byTerm.set(q, hits);
  }
  return hits;
}

interface Prepared {
  zhName: string;
  enName: string;
  sylls: string[];
  initials: string;
  enWords: string;
}
/** What every keystroke reads of a matter, worked out once per matter object (a catalogue's matters do not change in place). */
const preparedOf = new WeakMap<SearchableMatter, Prepared>();

function prepared(m: SearchableMatter): Prepared {
  let p = preparedOf.get(m);
  if (!p) {
    const sylls = syllables(m.pinyin);
    p = {
      zhName: norm(m.name),
      enName: norm(m.nameEn),
      sylls,
      initials: (m.initials ?? initialsOf(sylls)).toLowerCase(),
      enWords: m.nameEn.toLowerCase().replace(/[^a-z0-9]+/g, ""),
    };
    preparedOf.set(m, p);
  }
  return p;
}

/** The best score of one query term for one matter (0 = no match). */
function termScore(m: SearchableMatter, q: string, opts: SearchOptions): number {
  const en = opts.lang === "en";
  const p = prepared(m);
  const [own, other] = en ? [p.enName, p.zhName] : [p.zhName, p.enName];
  if (own === q) return SCORE.exact;
  if (own.startsWith(q)) return SCORE.prefix;
  if (own.includes(q)) return SCORE.contains;
  let best = 0;
  for (const h of answering(opts.synonyms ?? NO_SYNONYMS, q)) {
    if (best >= SCORE.synonym) break;
    if (h.score > best && h.terms.some((t) => m.name.includes(t))) best = h.score;
  }
  if (LATIN.test(q) && !HAN.test(q)) {
    const hit = pinyinHit(p.sylls, q);
    if (hit === 0) best = Math.max(best, SCORE.pinyinPrefix);
    else if (hit === 1) best = Math.max(best, SCORE.pinyin);
    const ini = p.initials;
    if (ini.startsWith(q)) best = Math.max(best, SCORE.initialsPrefix);
    else if (ini.includes(q)) best = Math.max(best, SCORE.initials);
  }
  if (best) return best;
  if (other.includes(q)) return SCORE.otherLanguage;
  // English words across punctuation: "real estate" finds "Real-estate registration".
  const enWords = p.enWords;
  const qWords = q.replace(/[^a-z0-9]/g, "");
  if (qWords && enWords.includes(qWords)) return en ? SCORE.contains : SCORE.otherLanguage;
  // A material: "户口本" finds the matters that ask for one (two characters at least: one is noise).
  if (HAN.test(q) && q.length >= 2 && m.materials?.some((x) => x.includes(q))) return SCORE.material;
  return 0;
}

/** 0 = no match; otherwise a {@link SCORE} (the weakest of the query's terms). */
export function matchScore(matter: SearchableMatter, query: string, opts: SearchOptions = {}): number {
  const terms = queryTerms(query);
  if (terms.length === 0) return 1;
  let score = Number.POSITIVE_INFINITY;
  for (const t of terms) {
    score = Math.min(score, termScore(matter, t, opts));
    if (score === 0) return 0;
  }
  return score;
}

/** Whether the matter matches the query (empty query matches everything). */
export function matchesMatter(matter: SearchableMatter, query: string, opts: SearchOptions = {}): boolean {
  return matchScore(matter, query, opts) > 0;
}

/** Matching matters, best first, stable (catalogue order) within a score. */
export function searchMatters<M extends SearchableMatter>(matters: readonly M[], query: string, opts: SearchOptions = {}): M[] {
  return matters
    .map((m, i) => ({ m, i, s: matchScore(m, query, opts) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.m);
}

// ---------------------------------------------------------------- pinyin candidate bar

/** A word of the catalogue with its pinyin, one syllable per character. */
export interface VocabEntry {
  chars: string[];
  pinyin: string[];
}

/** A candidate of the bar: `text` replaces the first `used` letters being composed. */
export interface Candidate {
  text: string;
  used: number;
}

/** The words candidates come from: matter names and synonym words (what search can find). */
export function buildVocabulary(
  matters: readonly Pick<Matter, "name" | "pinyin">[],
  synonyms: readonly Pick<Synonym, "word" | "pinyin">[] = [],
): VocabEntry[] {
  const out: VocabEntry[] = [];
  const add = (text: string, pinyin: readonly string[] | undefined) => {
    const chars = Array.from(text);
    if (pinyin && pinyin.length === chars.length) out.push({ chars, pinyin: [...pinyin] });
  };
  for (const m of matters) add(m.name, m.pinyin);
  for (const s of synonyms) add(s.word, s.pinyin);
  return out;
}

/** The letters being composed: the run of Latin letters at the end of the query. */
export function composing(query: string): string {
  return /[a-z]+$/i.exec(query)?.[0].toLowerCase() ?? "";
}

/** The query after tapping a candidate: the composed letters it stands for become its characters. */
export function applyCandidate(query: string, c: Candidate): string {
  const buf = composing(query);
  const start = query.length - buf.length;
  return query.slice(0, start) + c.text + query.slice(start + c.used);
}

type Kind = 0 | 1 | 2; // 0: every letter, whole syllables; 1: every letter, last syllable begun; 2: a first part only

/**
 * Candidates for the letters being typed, as a phone keyboard offers them: characters and
 * words of the catalogue whose pinyin spells the letters ("bu" → 不 部 补…, "budongchan"
 * → 不动产), then those whose last syllable is only begun ("budo" → 不动), then words
 * that spell a first part of the letters (tapping one leaves the rest to compose). Within
 * each group the most frequent in the catalogue come first, then the earliest seen.
 */
export function pinyinCandidates(vocab: readonly VocabEntry[], letters: string, limit = 12): Candidate[] {
  const buf = letters.toLowerCase();
  if (!buf || !/^[a-z]+$/.test(buf)) return [];
  const found = new Map<string, { used: number; kind: Kind; count: number; first: number }>();
  let seen = 0;
  const note = (text: string, used: number, kind: Kind) => {
    const f = found.get(text);
    if (!f) found.set(text, { used, kind, count: 1, first: seen++ });
    else {
      f.count++;
      if (kind < f.kind || (kind === f.kind && used > f.used)) {
        f.kind = kind;
        f.used = used;
      }
    }
  };
  for (const e of vocab) {
    for (let i = 0; i < e.chars.length; i++) {
      let acc = "";
      let text = "";
      for (let j = i; j < e.chars.length; j++) {
        const s = e.pinyin[j] ?? "";
        const ch = e.chars[j] ?? "";
        if (!s || !HAN.test(ch)) break;
        const next = acc + s;
        text += ch;
        if (buf.startsWith(next)) {
          acc = next;
          note(text, acc.length, acc.length === buf.length ? 0 : 2);
          if (acc.length === buf.length) break;
        } else {
          if (next.startsWith(buf)) note(text, buf.length, 1);
          break;
        }
      }
    }
  }
  return [...found.entries()]
    .sort(([, a], [, b]) => a.kind - b.kind || (a.kind === 2 ? b.used - a.used : 0) || b.count - a.count || a.first - b.first)
    .slice(0, limit)
    .map(([text, f]) => ({ text, used: f.used }));
}
