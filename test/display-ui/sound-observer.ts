/**
 * Watches a call screen from outside, the way a visitor does: what the big panel shows and
 * what the speakers play, with timestamps. Installed as an init script (before the page's
 * own code), it wraps `HTMLMediaElement.prototype.play` and `speechSynthesis.speak` and
 * observes the panel with a MutationObserver plus a 10 ms sampler. The page carries no
 * test hook of its own.
 */
import type { Page } from "playwright-core";

export type SoundEvent =
  /** A clip started (`muted` for the page's silent autoplay probe). */
  | { type: "play"; src: string; muted: boolean; t: number; panel: string | null }
  /** The browser answered a `play()`: started, or refused (`error`: the DOMException's name,
   * "NotAllowedError" when sound needs a tap first). */
  | { type: "answer"; src: string; muted: boolean; error: string | null; t: number }
  /** A clip ended, was paused or failed. */
  | { type: "end"; src: string; t: number; panel: string | null }
  | { type: "speak"; text: string; t: number; panel: string | null }
  /** The panel's number changed; `playing` is the clip audible at that moment. */
  | { type: "panel"; number: string | null; t: number; playing: string | null }
  /** A sample where the panel or the audible clip differs from the previous sample. */
  | { type: "sample"; panel: string | null; playing: string | null; t: number };

declare global {
  interface Window {
    __soundObs?: SoundEvent[];
  }
}

const observed = new WeakSet<Page>();

/** Call before `page.goto` (once per page; a second call does nothing). */
export async function observeSound(page: Page): Promise<void> {
  if (observed.has(page)) return;
  observed.add(page);
  await page.addInitScript(() => {
    const log: SoundEvent[] = [];
    window.__soundObs = log;
    const els = new Set<HTMLMediaElement>();
    const panel = (): string | null => document.querySelector('[data-testid="newest-number"]')?.textContent ?? null;
    const playing = (): string | null => {
      for (const el of els) if (!el.paused && !el.ended && el.volume > 0) return new URL(el.src, location.href).pathname; // src: setting it stops the old clip at once
      return null;
    };
    const origPlay = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (!els.has(this)) {
        els.add(this);
        for (const ev of ["ended", "pause", "error"]) {
          this.addEventListener(ev, () => {
            log.push({ type: "end", src: new URL(this.src, location.href).pathname, t: performance.now(), panel: panel() });
          });
        }
      }
      const src = new URL(this.src, location.href).pathname;
      const muted = this.volume === 0;
      log.push({ type: "play", src, muted, t: performance.now(), panel: panel() });
      const started = origPlay.call(this);
      started.then(
        () => log.push({ type: "answer", src, muted, error: null, t: performance.now() }),
        (err: unknown) =>
          log.push({ type: "answer", src, muted, error: err instanceof Error ? err.name : String(err), t: performance.now() }),
      );
      return started;
    };
    if (typeof speechSynthesis !== "undefined") {
      const origSpeak = speechSynthesis.speak.bind(speechSynthesis);
      speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
        log.push({ type: "speak", text: u.text, t: performance.now(), panel: panel() });
        origSpeak(u);
      };
    }
    let last = "";
    const sample = (): void => {
      const p = panel();
      const a = playing();
      const key = `${p}|${a}`;
      if (key !== last) {
        last = key;
        log.push({ type: "sample", panel: p, playing: a, t: performance.now() });
      }
    };
    setInterval(sample, 10);
    let lastPanel: string | null = null;
    const onMutation = (): void => {
      const p = panel();
      if (p !== lastPanel) {
        lastPanel = p;
        log.push({ type: "panel", number: p, t: performance.now(), playing: playing() });
      }
      sample();
    };
    const start = (): void => {
      new MutationObserver(onMutation).observe(document.documentElement, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    };
    if (document.documentElement) start();
    else document.addEventListener("DOMContentLoaded", start);
  });
}

/** Everything observed so far. */
export function soundLog(page: Page): Promise<SoundEvent[]> {
  return page.evaluate(() => window.__soundObs ?? []);
}

/** The voice clips (not the chime, not the silent probe) that started, in order. */
export function voicePlays(log: readonly SoundEvent[], chime = "/api/voice/chime.wav"): Extract<SoundEvent, { type: "play" }>[] {
  return log.filter((e): e is Extract<SoundEvent, { type: "play" }> => e.type === "play" && !e.muted && e.src !== chime);
}

/**
 * Waits for the browser's answer to the call screen's start-up sound probe (its first silent
 * play): "blocked" when it refused for want of a tap. The page decides on that answer, so a
 * test that looks at the "enable sound" notice before it would see a page still deciding.
 */
export async function probeAnswer(page: Page): Promise<"allowed" | "blocked"> {
  const answer = await page.waitForFunction(
    () => window.__soundObs?.find((e) => e.type === "answer" && e.muted) ?? null,
    undefined,
    { timeout: 20_000 },
  );
  const e = (await answer.jsonValue()) as Extract<SoundEvent, { type: "answer" }>;
  return e.error === "NotAllowedError" ? "blocked" : "allowed";
}

/**
 * Opens the call screen at `url`, watched by {@link observeSound}, once its sound is decided:
 * when the browser blocks sound until a tap, the "enable sound" notice is tapped, as the
 * screen's installer does, and this returns once the page has taken the tap (the notice
 * gone), so the first call is heard. Returns the start-up probe's answer.
 */
export async function openCallScreen(page: Page, url: string): Promise<"allowed" | "blocked"> {
  await observeSound(page);
  await page.goto(url);
  await page.getByTestId("now-calling").waitFor();
  const answer = await probeAnswer(page);
  if (answer === "blocked") {
    const notice = page.getByTestId("enable-sound");
    await notice.click();
    await notice.waitFor({ state: "detached" });
  }
  return answer;
}
