import type { ByteLink, LinkState } from "../../../hardware/transport/link.ts";

/** Record every `state` event of a link. */
export function recordStates(link: ByteLink): { state: LinkState; detail?: string; at: number }[] {
  const seen: { state: LinkState; detail?: string; at: number }[] = [];
  link.on("state", (state, detail) => seen.push({ state, detail, at: Date.now() }));
  return seen;
}

/** Resolve when `link` reaches `state`, reject after `ms`. */
export function waitForState(link: ByteLink, state: LinkState, ms: number): Promise<void> {
  if (link.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      link.off("state", on);
      reject(new Error(`${link.id} did not reach ${state} in ${ms} ms (now ${link.state})`));
    }, ms);
    const on = (s: LinkState) => {
      if (s !== state) return;
      clearTimeout(timer);
      link.off("state", on);
      resolve();
    };
    link.on("state", on);
  });
}

/** Collect `data` until `n` bytes have arrived, reject after `ms`. */
export function readBytes(
  source: { on(e: "data", fn: (b: Buffer) => void): unknown; off(e: "data", fn: (b: Buffer) => void): unknown },
  n: number,
  ms: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => {
      source.off("data", on);
      reject(new Error(`only ${got} of ${n} bytes in ${ms} ms`));
    }, ms);
    const on = (b: Buffer) => {
      chunks.push(b);
      got += b.length;
      if (got >= n) {
        clearTimeout(timer);
        source.off("data", on);
        resolve(Buffer.concat(chunks));
      }
    };
    source.on("data", on);
  });
}
