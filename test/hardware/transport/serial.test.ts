import { SerialPort, SerialPortMock } from "serialport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SerialLink } from "../../../hardware/transport/serial.ts";
import { type PtyPair, startPtyPair } from "../../helpers/socat.ts";
import { readBytes, recordStates, waitForState } from "./helpers.ts";

function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on("error", () => {});
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(port))));
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

describe("hardware/transport SerialLink over socat ptys", () => {
  let pty: PtyPair;
  let link: SerialLink;
  let peer: SerialPort | undefined;

  beforeEach(async () => {
    pty = await startPtyPair();
    link = new SerialLink({ id: "s1", path: pty.pathA, baudRate: 9600 });
  });

  afterEach(async () => {
    await link.close();
    if (peer) await closePort(peer);
    peer = undefined;
    await pty.dispose();
  });

  it("writes bytes that the other pty end reads, and reads what it sends back", async () => {
    const states = recordStates(link);
    await link.open();
    expect(link.state).toBe("open");
    expect(states.map((s) => s.state)).toEqual(["connecting", "open"]);
    peer = await openPort(pty.pathB);

    const sent = Buffer.from([0x1b, 0x40, 0xfe, 0x9f, 0x00, 0x0a]);
    const got = readBytes(peer, sent.length, 2000);
    await link.write(sent);
    expect(await got).toEqual(sent);

    const back = readBytes(link, 1, 2000);
    peer.write(Buffer.from([0x12]));
    expect(await back).toEqual(Buffer.from([0x12]));
  });

  it("reports closed when socat dies, reopens within 2 s of its restart and writes again", async () => {
    await link.open();
    const states = recordStates(link);
    await pty.unplug();
    await waitForState(link, "closed", 2000);
    expect(states[0]?.state).toBe("closed");
    await expect(link.write(Buffer.from("x"))).rejects.toMatchObject({ code: "OFFLINE" });

    // Stay unplugged past a few backoff rounds: retries must not give up or crash.
    await new Promise((r) => setTimeout(r, 600));
    expect(link.state).not.toBe("open");
    expect(states.some((s) => s.state === "closed" && s.detail === "ENOENT")).toBe(true);

    await pty.replug();
    const replugged = Date.now();
    await waitForState(link, "open", 2000);
    expect(Date.now() - replugged).toBeLessThan(2000);

    peer = await openPort(pty.pathB);
    const got = readBytes(peer, 3, 2000);
    await link.write(Buffer.from("abc"));
    expect((await got).toString()).toBe("abc");
  });

  it("keeps retrying from the start when the port does not exist yet", async () => {
    await pty.unplug();
    const states = recordStates(link);
    await link.open();
    expect(link.state).toBe("closed");
    expect(states.at(-1)?.detail).toBe("ENOENT");
    await pty.replug();
    await waitForState(link, "open", 2000);
  });

  it("stops reconnecting after close()", async () => {
    await link.open();
    await link.close();
    const states = recordStates(link);
    await pty.unplug();
    await pty.replug();
    await new Promise((r) => setTimeout(r, 700));
    expect(link.state).toBe("closed");
    expect(states).toEqual([]);
  });
});

describe("hardware/transport SerialLink over serialport MockBinding", () => {
  it("writes through the binding and emits what the device sends", async () => {
    const path = "/dev/ROBOT-serial-link";
    SerialPortMock.binding.createPort(path, { echo: true, record: true });
    const link = new SerialLink({ id: "m1", path, baudRate: 9600, binding: SerialPortMock.binding });
    try {
      await link.open();
      expect(link.state).toBe("open");
      // echo: true sends every written byte straight back, as a loopback plug would.
      const back = readBytes(link, 4, 2000);
      await link.write(Buffer.from([0x10, 0x04, 0x01, 0x0a]));
      expect(await back).toEqual(Buffer.from([0x10, 0x04, 0x01, 0x0a]));
    } finally {
      await link.close();
    }
  });

  it("reports closed with a reason when the port cannot be opened", async () => {
    const link = new SerialLink({ id: "m2", path: "/dev/ROBOT-missing", baudRate: 9600, binding: SerialPortMock.binding });
    const states = recordStates(link);
    try {
      await link.open();
      expect(link.state).toBe("closed");
      expect(states.map((s) => s.state)).toEqual(["connecting", "closed"]);
    } finally {
      await link.close();
    }
  });
});
