import { type InputDeviceStatus, KeypadBus } from "../../../hardware/keypad/driver.ts";
import type { KeypadKey, RatingScore } from "../../../hardware/keypad/protocol.ts";
import { KeypadSimulator } from "../../../hardware/keypad/simulator.ts";
import type { ByteLink } from "../../../hardware/transport/link.ts";
import type { MemoryLinkPair } from "../../../hardware/transport/memory.ts";
import type { DeviceContext } from "./lifecycle.ts";
import { transportKey } from "./links.ts";

/** A device listening on a keypad line at one address. */
export interface KeypadLineUser {
  address: number;
  onKey?(key: KeypadKey): void;
  onRating?(score: RatingScore): void;
  /** The line's health is the health of every device on it. */
  report(s: InputDeviceStatus): void;
}

/**
 * One RS-485 line shared by caller keypads and rating devices (they speak the same
 * frames). A key or a score goes to the first device opened at its address that takes
 * it, so a line's behaviour does not depend on how many devices listen.
 */
export class KeypadLine {
  readonly bus: KeypadBus;
  /** The simulated keypad at the other end of a simulated cable. */
  readonly sim: KeypadSimulator | undefined;
  private readonly users: KeypadLineUser[] = [];

  constructor(
    private readonly link: ByteLink,
    private readonly plug: MemoryLinkPair | undefined,
  ) {
    this.sim = plug ? new KeypadSimulator(plug.device) : undefined;
    this.bus = new KeypadBus(link);
    this.bus.on("key", (e) => this.users.find((u) => u.onKey && u.address === e.address)?.onKey?.(e.key));
    this.bus.on("rating", (e) => this.users.find((u) => u.onRating && u.address === e.address)?.onRating?.(e.score));
    this.bus.on("status", (st) => {
      for (const u of this.users) u.report(st);
    });
  }

  /** Listen at `user.address`; returns how to stop. */
  attach(user: KeypadLineUser): () => void {
    this.users.push(user);
    return () => {
      const i = this.users.indexOf(user);
      if (i >= 0) this.users.splice(i, 1);
    };
  }

  async start(): Promise<void> {
    if (this.plug) await this.plug.device.open();
    await this.link.open();
  }

  async close(): Promise<void> {
    this.bus.detach();
    await this.link.close();
  }
}

/**
 * Join the keypad line of `ctx`'s transport as `user`: the device's health follows the
 * line's, and it leaves the line when it closes. Simulated keypads each get their own
 * cable; real ones share the serial line.
 */
export function joinKeypadLine(
  ctx: DeviceContext,
  user: Omit<KeypadLineUser, "report">,
): { line: KeypadLine; ready: Promise<void> } {
  const t = ctx.cfg.transport;
  const key = t.type === "sim" ? `keypad:sim:${ctx.cfg.id}` : `keypad:${transportKey(t)}`;
  const { value: line, ready } = ctx.shared(key, () => {
    const { link, plug } = ctx.link();
    const l = new KeypadLine(link, plug);
    return { value: l, start: () => l.start(), close: () => l.close() };
  });
  ctx.onClose(line.attach({ ...user, report: (s) => ctx.report(s) }));
  return { line, ready };
}
