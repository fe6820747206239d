import type { CallInfo } from "../contract/tickets.ts";
import type { Voice } from "../../../hardware/voice/tts.ts";
import { callSpeech, type CallText } from "../../../hardware/voice/text.ts";
import { speechKey } from "../../../hardware/voice/tts.ts";

const SPEED = 140;
const REMEMBER = 500;

/**
 * Call announcements for the screens. The URL of a call's WAV is known at once (a hash of
 * its text), so a call is broadcast without waiting for synthesis; the WAV is made in the
 * background and, if a screen asks first, on demand.
 */
export class Announcer {
  private readonly calls = new Map<string, CallText>();

  constructor(
    private readonly voice: Voice,
    private readonly log: (line: string) => void,
  ) {}

  get available(): boolean {
    return this.voice.available;
  }

  /** URL path of the announcement for a call, or undefined when there is no TTS. */
  urlFor(call: CallInfo, lang: "zh" | "en" = "zh"): string | undefined {
    if (!this.voice.available) return undefined;
    const text: CallText = { ticketNumber: call.number, counterNumber: call.counterNumber, lang };
    const key = speechKey(callSpeech(text), SPEED);
    if (!this.calls.has(key)) {
      this.calls.set(key, text);
      if (this.calls.size > REMEMBER) this.calls.delete(this.calls.keys().next().value as string);
      this.voice.synth(text).catch((err) => this.log(`voice: ${(err as Error).message}`));
    }
    return `/api/voice/${key}.wav`;
  }

  /** The WAV file for a key handed out by `urlFor`, or the chime. */
  async file(name: string): Promise<string | undefined> {
    if (name === "chime.wav") return this.voice.chime();
    const text = this.calls.get(name.replace(/\.wav$/, ""));
    if (!text) return undefined;
    return (await this.voice.synth(text)).file;
  }
}
