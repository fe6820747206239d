/**
 * The announcer's player in a browser: one HTMLAudioElement for the chime and the hub's
 * WAVs, `speechSynthesis` (a zh-CN voice) for the fallback. Every playback resolves even
 * when the browser never fires `ended` (no audio device, a stuck speech engine), so the
 * queue can't hang, and `stop()` ends the one in progress at once (the announcer cuts a
 * stalled chime off that way).
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
  /** Ends the clip or speech in progress (its promise resolves); undefined when idle. */
  let finish: (() => void) | undefined;

  function stop(): void {
    finish?.();
  }

  /** The one ending of a playback: `cleanup`, then resolve or reject; later calls do nothing. */
  function ending(resolve: () => void, reject: (err: unknown) => void, cleanup: () => void): (err?: unknown) => void {
    let settled = false;
    return (err) => {
      if (settled) return;
      settled = true;
      finish = undefined;
      cleanup();
      if (err === undefined) resolve();
      else reject(err);
    };
  }

  function playUrl(url: string, volume = 1): Promise<void> {
    // One element plays one clip: an earlier one still pending ends now, or its cap timer
    // would later pause this clip.
    stop();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = ending(resolve, reject, () => {
        clearTimeout(timer);
        audio.onended = null;
        audio.onerror = null;
        audio.onloadedmetadata = null;
        // Cut off (cap or stop): silence it, or it would go on under the next call's panel.
        if (!audio.paused) audio.pause();
      });
      finish = () => done();
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
    stop();
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
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = ending(resolve, reject, () => clearTimeout(timer));
      const cut = (): void => {
        // Only after `done`: cancel() fires this utterance's own error event.
        done();
        speechSynthesis.cancel();
      };
      finish = cut;
      // Engines without a voice never fire `end`: cap by the text's length.
      timer = setTimeout(cut, 3000 + text.length * 350);
      u.onend = () => done();
      u.onerror = (ev) => done(ev.error === "not-allowed" ? new AutoplayBlockedError() : undefined);
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

  return { playUrl: (url) => playUrl(url), speak, stop, probe };
}
