import type { CallInfo } from "../contract/tickets.ts";
import type { Voice } from "../../../hardware/voice/tts.ts";
import { callSpeech, type CallText } from "../../../hardware/voice/text.ts";
import { speechKey } from "../../../hardware/voice/tts.ts";

const SPEED = 140;
const REMEMBER = 500;

/**
 * Call announcements for the screens. The URL of a call's WAV is known at once (a hash of
 * its text), so a call is broadcast without waiting for synthesis. The WAV is made when
 * the first screen asks for it (the others share that run), one synthesis at a time, so a
 * burst of calls never turns into a burst of espeak-ng processes competing with the hub.
 */
export class Announcer {
  private readonly calls = new Map<string, CallText>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly voice: Voice,
    private readonly log: (line: string) => void,
  ) {}

  get available(): boolean {
    return this.voice.available;
  }

  /** URL path of the announcement for a call, or undefined when there is no TTS. */
  urlFor(call: Pick<CallInfo, "number" | "counterNumber">, lang: "zh" | "en" = "zh"): string | undefined {
    if (!this.voice.available) return undefined;
    const text: CallText = { ticketNumber: call.number, counterNumber: call.counterNumber, lang };
    const key = speechKey(callSpeech(text), SPEED);
    if (!this.calls.has(key)) {
      this.calls.set(key, text);
      if (this.calls.size > REMEMBER) this.calls.delete(this.calls.keys().next().value as string);
    }
    return `/api/voice/${key}.wav`;
  }

  /** The WAV file for a key handed out by `urlFor`, or the chime. */
  async file(name: string): Promise<string | undefined> {
    if (name === "chime.wav") return this.voice.chime();
    const text = this.calls.get(name.replace(/\.wav$/, ""));
    if (!text) return undefined;
    // The voice caches finished clips and shares a synthesis in flight; the queue keeps
    // new ones from running side by side.
    const run = this.queue.then(() => this.voice.synth(text));
    this.queue = run.catch((err) => this.log(`voice: ${(err as Error).message}`));
    return (await run).file;
  }
}
