import type { ByteLink } from "../../../hardware/transport/link.ts";
import { createMemoryLinkPair, type MemoryLinkPair } from "../../../hardware/transport/memory.ts";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import { TcpLink } from "../../../hardware/transport/tcp.ts";
import { UsbLpLink } from "../../../hardware/transport/usblp.ts";
import type { DeviceConfig, TransportConfig } from "../contract/devices.ts";

/** One name per physical line, so devices on the same RS-485 bus share one port. */
export function transportKey(t: TransportConfig): string {
  switch (t.type) {
    case "serial":
      return `serial:${t.path}`;
    case "tcp":
      return `tcp:${t.host}:${t.port}`;
    case "usblp":
      return `usblp:${t.path}`;
    case "sim":
      return "sim";
  }
}

/**
 * A (not yet opened) link over a device's configured transport. Real links reconnect by
 * themselves until closed; a simulated one is an in-memory cable whose `plug` pulls it.
 * `duplex: false` makes a simulated cable behave like a usblp printer (no answers).
 */
export function makeLink(cfg: DeviceConfig, duplex = true): { link: ByteLink; plug?: MemoryLinkPair } {
  const t = cfg.transport;
  switch (t.type) {
    case "serial":
      return { link: new SerialLink({ id: cfg.id, path: t.path, baudRate: t.baudRate }) };
    case "tcp":
      return { link: new TcpLink({ id: cfg.id, host: t.host, port: t.port }) };
    case "usblp":
      return { link: new UsbLpLink({ id: cfg.id, path: t.path }) };
    case "sim": {
      const plug = createMemoryLinkPair({ id: cfg.id, duplex });
      return { link: plug.host, plug };
    }
  }
}
