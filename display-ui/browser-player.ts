/**
 * The announcer's player in a browser: one HTMLAudioElement for the chime and the hub's
 * WAVs, `speechSynthesis` (a zh-CN voice) for the fallback. Every playback resolves even
 * when the browser never fires `ended` (no audio device, a stuck speech engine), so the
 * queue can't hang.
 */
import { type AnnouncementPlayer, AutoplayBlockedError } from "./announcer.ts";

/** Longest a clip may take before the queue moves on. */
const CLIP_CAP_MS = 20_000;

function isAutoplayBlock(err: unknown): boolean {
  return err instanceof DOMException && err.name === "NotAllowedError";
}

/** Builds the browser player. */
export function createBrowserPlayer(): AnnouncementPlayer & {
  /** Tries to play `url` silently: true when the browser allows sound without a tap. */
  probe(url: string): Promise<boolean>;
} {
  const audio = new Audio();
  audio.preload = "auto";

  function playUrl(url: string, volume = 1): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (err?: unknown): void => {
        clearTimeout(timer);
        audio.onended = null;
        audio.onerror = null;
        audio.onloadedmetadata = null;
        // Cut off by the cap: silence it, or it would go on under the next call's panel.
        if (!audio.paused) audio.pause();
        if (err === undefined) resolve();
        else reject(err);
      };
      timer = setTimeout(() => done(), CLIP_CAP_MS);
      audio.onended = () => done();
      audio.onerror = () => done(new Error(`cannot play ${url}`));
      // A short clip gets a tighter cap once its length is known.
      audio.onloadedmetadata = () => {
        if (Number.isFinite(audio.duration) && audio.duration > 0) {
          clearTimeout(timer);
          timer = setTimeout(() => done(), audio.duration * 1000 + 1500);
        }
      };
      audio.volume = volume;
      audio.src = url;
      audio.play().catch((err: unknown) => done(isAutoplayBlock(err) ? new AutoplayBlockedError() : err));
    });
  }

  function pickVoice(lang: string): SpeechSynthesisVoice | undefined {
    const voices = speechSynthesis.getVoices();
    const base = lang.toLowerCase();
    return (
      voices.find((v) => v.lang.toLowerCase() === base) ?? voices.find((v) => v.lang.toLowerCase().startsWith(base.slice(0, 2)))
    );
  }

  function speak(text: string, lang: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (typeof speechSynthesis === "undefined") {
        reject(new Error("no speech synthesis"));
        return;
      }
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      const voice = pickVoice(lang);
      if (voice) u.voice = voice;
      u.rate = 0.9;
      // Engines without a voice never fire `end`: cap by the text's length.
      const timer = setTimeout(
        () => {
          speechSynthesis.cancel();
          resolve();
        },
        3000 + text.length * 350,
      );
      u.onend = () => {
        clearTimeout(timer);
        resolve();
      };
      u.onerror = (ev) => {
        clearTimeout(timer);
        if (ev.error === "not-allowed") reject(new AutoplayBlockedError());
        else resolve();
      };
      speechSynthesis.speak(u);
    });
  }

  async function probe(url: string): Promise<boolean> {
    const a = new Audio();
    a.volume = 0;
    a.src = url;
    try {
      await a.play();
      a.pause();
      return true;
    } catch (err) {
      // Only a policy refusal means "tap needed"; a missing file is not the user's problem.
      return !isAutoplayBlock(err);
    }
  }

  return { playUrl: (url) => playUrl(url), speak, probe };
}
