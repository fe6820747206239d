/**
 * A real IPP Everywhere printer for tests: CUPS's `ippeveprinter` (Debian cups-ipp-utils)
 * on a free loopback port, keeping every document it receives in a spool folder
 * (`-k`), so a test can read back what was printed (`pdfText` runs poppler's pdftotext).
 *
 * ippeveprinter (CUPS 2.4) will not start without a DNS-SD daemon, even with `-r off`:
 * when none runs and we are root (CI, this machine), the system D-Bus and avahi-daemon
 * are started first (.ci/run does the same before the suite).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface IppEvePrinter {
  /** ipp://localhost:PORT/ipp/print */
  uri: string;
  port: number;
  spoolDir: string;
  /** Documents received so far (file paths, oldest first). */
  documents(): string[];
  stop(): Promise<void>;
}

function avahiRunning(): boolean {
  try {
    execFileSync("avahi-daemon", ["-c"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Whether the system D-Bus daemon of /run/dbus/pid is alive (its socket alone proves nothing). */
function systemBusAlive(): boolean {
  if (!existsSync("/run/dbus/system_bus_socket")) return false;
  try {
    const pid = Number(readFileSync("/run/dbus/pid", "utf8").trim());
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Start D-Bus and avahi when they are not running (root only; otherwise leave it to the caller). */
export function ensureDnsSd(): void {
  if (avahiRunning()) return;
  if (!systemBusAlive()) {
    // A socket left by a bus that died (a container restarted, the daemon killed) makes
    // dbus-daemon refuse to start and avahi fail: clear what it left, then start it.
    for (const f of ["/run/dbus/pid", "/run/dbus/system_bus_socket"]) rmSync(f, { force: true });
    execFileSync("dbus-daemon", ["--system", "--fork"], { stdio: "ignore" });
  }
  try {
    execFileSync("avahi-daemon", ["-D"], { stdio: "ignore" });
  } catch {
    // Another test started it meanwhile.
  }
  for (let i = 0; i < 50 && !avahiRunning(); i++) execFileSync("sleep", ["0.1"]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function answering(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function startIppEvePrinter(name = "Test A4"): Promise<IppEvePrinter> {
  ensureDnsSd();
  const spoolDir = mkdtempSync(join(tmpdir(), "onevisit-ipp-"));
  const port = await freePort();
  // -n localhost: it binds IPv4 and IPv6 for that name (127.0.0.1 alone has no IPv6 address).
  const child: ChildProcess = spawn(
    "ippeveprinter",
    ["-r", "off", "-n", "localhost", "-p", String(port), "-d", spoolDir, "-f", "application/pdf", "-k", name],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (let i = 0; i < 100 && !(await answering(port)); i++) {
    if (exited) throw new Error(`ippeveprinter exited: ${err.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    uri: `ipp://localhost:${port}/ipp/print`,
    port,
    spoolDir,
    documents: () =>
      readdirSync(spoolDir)
        .filter((f) => f.endsWith(".pdf"))
        .sort()
        .map((f) => join(spoolDir, f)),
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** The text of a PDF, as poppler's pdftotext reads it. */
export function pdfText(file: string | Buffer): string {
  if (typeof file === "string") return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString("utf8");
  const dir = mkdtempSync(join(tmpdir(), "onevisit-pdf-"));
  try {
    const f = join(dir, "doc.pdf");
    writeFileSync(f, file);
    return execFileSync("pdftotext", ["-enc", "UTF-8", f, "-"]).toString("utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readDoc(path: string): Buffer {
  return readFileSync(path);
}
