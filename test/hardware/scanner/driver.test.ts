import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodeScanner, type ScannerStatus } from "../../../hardware/scanner/driver.ts";
import { ScannerSimulator } from "../../../hardware/scanner/simulator.ts";
import { LINK_ENVS, type LinkEnv, collect, sleep, waitFor } from "../keypad/links.ts";

for (const [envName, makeEnv] of LINK_ENVS) {
  describe(`scanner/driver CodeScanner over ${envName}`, () => {
    let env: LinkEnv;
    let scanner: CodeScanner;
    let sim: ScannerSimulator;
    let codes: string[];

    beforeEach(async () => {
      env = await makeEnv();
      scanner = new CodeScanner(env.host, { repeatWindowMs: 0 });
      sim = new ScannerSimulator(env.device);
      codes = collect(scanner, "code");
    });

    afterEach(async () => {
      scanner.detach();
      await env.dispose();
    });

    it("emits each scanned code, whatever the terminator", async () => {
      await sim.scan("YY-20261129-0042", "\r");
      await sim.scan("https://zwfw.example/matter/370000-001", "\n");
      await sim.scan("事项370000-001", "\r\n");
      await waitFor(() => codes.length === 3, 3000, "codes");
      expect(codes).toEqual(["YY-20261129-0042", "https://zwfw.example/matter/370000-001", "事项370000-001"]);
    });

    it("joins a code sent in pieces", async () => {
      await sim.sendRaw(Buffer.from("ABC"));
      await sleep(5);
      await sim.sendRaw(Buffer.from("123\r"));
      await waitFor(() => codes.length === 1, 3000, "code");
      expect(codes).toEqual(["ABC123"]);
    });

    if (envName !== "serialport MockBinding") {
      it("reports unplug and replug, drops the half code, and scans again", async () => {
        const statuses = collect<ScannerStatus>(scanner, "status");
        await sim.sendRaw(Buffer.from("HALF"));
        await sleep(20);
        await env.unplug?.();
        await waitFor(() => scanner.status.health === "offline", 3000, "offline");
        await env.replug?.();
        await waitFor(() => scanner.status.health === "online", 5000, "online");
        await sim.scan("AFTER");
        await waitFor(() => codes.length === 1, 3000, "code after replug");
        expect(codes).toEqual(["AFTER"]);
        expect(statuses.some((s) => s.health === "offline")).toBe(true);
        expect(statuses.at(-1)).toEqual({ health: "online" });
      });
    }
  });
}

describe("scanner/driver repeat window", () => {
  it("ignores the same code again within the window, not a different one or a later one", async () => {
    const entry = LINK_ENVS[0];
    if (!entry) throw new Error("no memory env");
    const env = await entry[1]();
    let now = 0;
    const scanner = new CodeScanner(env.host, { repeatWindowMs: 1500, now: () => now });
    const sim = new ScannerSimulator(env.device);
    const codes = collect<string>(scanner, "code");
    try {
      await sim.scan("Q1");
      await waitFor(() => codes.length === 1, 3000, "first");
      now = 500;
      await sim.scan("Q1");
      await sim.scan("Q2");
      await waitFor(() => codes.length === 2, 3000, "second");
      now = 2500;
      await sim.scan("Q2");
      await waitFor(() => codes.length === 3, 3000, "third");
      expect(codes).toEqual(["Q1", "Q2", "Q2"]);
    } finally {
      scanner.detach();
      await env.dispose();
    }
  });
});
