import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsbLpLink } from "../../../hardware/transport/usblp.ts";
import { recordStates, waitForState } from "./helpers.ts";

// A regular file stands in for /dev/usb/lp0: removing it is the unplug, creating it the replug.
describe("hardware/transport UsbLpLink", () => {
  let dir: string;
  let path: string;
  let link: UsbLpLink;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "onevisit-usblp-"));
    path = join(dir, "lp0");
    await writeFile(path, "");
    link = new UsbLpLink({ id: "u1", path, checkIntervalMs: 50 });
  });

  afterEach(async () => {
    await link.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is write-only and writes through to the device node", async () => {
    await link.open();
    expect(link.duplex).toBe(false);
    expect(link.state).toBe("open");
    await link.write(Buffer.from([0x1b, 0x40]));
    await link.write(Buffer.from("ok\n"));
    expect(await readFile(path)).toEqual(Buffer.from([0x1b, 0x40, 0x6f, 0x6b, 0x0a]));
  });

  it("goes closed when the node disappears and reopens when it is back", async () => {
    await link.open();
    const states = recordStates(link);
    await unlink(path);
    await waitForState(link, "closed", 2000);
    expect(states[0]).toMatchObject({ state: "closed", detail: "ENOENT" });
    await expect(link.write(Buffer.from("x"))).rejects.toMatchObject({ code: "OFFLINE" });

    await writeFile(path, "");
    const back = Date.now();
    await waitForState(link, "open", 2000);
    expect(Date.now() - back).toBeLessThan(2000);
    await link.write(Buffer.from("again"));
    expect((await readFile(path)).toString()).toBe("again");
  });

  it("never creates the node itself while it is missing", async () => {
    await unlink(path);
    await link.open();
    expect(link.state).toBe("closed");
    await new Promise((r) => setTimeout(r, 400));
    await expect(readFile(path)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
