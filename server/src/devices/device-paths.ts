import { posix } from "node:path";

/**
 * Where a serial or usblp device may live. The hub runs with access to devices (often as
 * root), so a path an admin types must not be any file: printer bytes appended to
 * /etc/passwd, or a "serial port" opened on a disk. Only device nodes under these
 * prefixes are opened: USB printers (`/dev/usb/lp0`), serial ports (`/dev/ttyS0`,
 * `/dev/ttyUSB0`, `/dev/ttyACM0`), their stable names (`/dev/serial/by-id/…`) and
 * pseudo-terminals (`/dev/pts/N`: socat pairs for testing, serial-over-network bridges).
 * A hall with other device names sets `DEVICE_PATHS` (comma-separated prefixes).
 */
export const DEFAULT_DEVICE_PATH_PREFIXES: readonly string[] = ["/dev/usb/lp", "/dev/tty", "/dev/serial/by-id/", "/dev/pts/"];

/** Prefixes from `DEVICE_PATHS` ("/dev/usb/lp,/dev/ttyS"); the defaults when unset or empty. */
export function devicePathPrefixes(env: string | undefined): readonly string[] {
  const list = (env ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return list.length > 0 ? list : DEFAULT_DEVICE_PATH_PREFIXES;
}

/**
 * Whether `path` is a device path under one of `prefixes`: absolute, already normalised
 * (no `..`, `.` or doubled slashes that could step out of the prefix), and naming
 * something below the prefix, not the prefix itself (`/dev/tty` is the hub's own terminal).
 */
export function devicePathAllowed(path: string, prefixes: readonly string[]): boolean {
  if (!path.startsWith("/") || posix.normalize(path) !== path || path.split("/").includes("..")) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f]/.test(path)) return false;
  return prefixes.some((p) => path.startsWith(p) && path.length > p.length);
}
