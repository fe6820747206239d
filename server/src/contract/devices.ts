/** Device configuration and health as shared with admins and the data wall. */

/**
 * `a4`: a terminal's A4 office printer over IPP or raw TCP 9100; `pos`: a terminal's bank-card
 * POS on a serial port (docs/devices.md).
 */
export type DeviceKind = "printer" | "led" | "keypad" | "rating" | "idreader" | "scanner" | "label" | "a4" | "pos";

export type TransportConfig =
  | { type: "serial"; path: string; baudRate: number }
  | { type: "tcp"; host: string; port: number }
  | { type: "usblp"; path: string }
  | { type: "sim" };

/** What a device serves. */
export type Assignment =
  | { kind: "kiosk"; kioskId: string }
  | { kind: "counter"; counterId: string; address?: number }
  | { kind: "screen"; screenId: string }
  /** A self-service terminal (its ID card reader, scanner, A4 printer, card POS). */
  | { kind: "terminal"; terminalId: string };

export interface DeviceConfig {
  id: string;
  kind: DeviceKind;
  name: string;
  transport: TransportConfig;
  assignment: Assignment;
  /** Kind-specific options: paper width for printers, bus address for LED/keypads … */
  options?: Record<string, string | number | boolean>;
}

export type DeviceHealth = "online" | "offline" | "paper_out" | "error";

export interface DeviceStatus {
  id: string;
  kind: DeviceKind;
  health: DeviceHealth;
  /** Short machine-readable reason (ENOENT, TIMEOUT, PAPER_OUT …) when not online. */
  detail?: string;
  /** Supplies running low while it still works (A4 printers: TONER_LOW, MEDIA_LOW, from IPP printer-state-reasons). */
  warnings?: string[];
  since: number;
}
