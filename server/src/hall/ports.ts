import type { DeviceConfig, DeviceStatus } from "../contract/devices.ts";
import type { PrintResult } from "../contract/events.ts";
import type { CallInfo } from "../contract/tickets.ts";

/**
 * What the application's other adapters need from devices/ and voice/, declared here so
 * http/ and realtime/ depend on the hall, never on another adapter (test/server/layers.test.ts).
 * The device manager and the announcer satisfy them as they are.
 */

export type DeviceWithStatus = DeviceConfig & { status: DeviceStatus };
/** `jam` and `toner_low`: A4 printers only (a jam stops the next job mid-page). */
export type SimFault = "paper_out" | "unplug" | "ok" | "jam" | "toner_low" | "media_low";

/** Device administration as the API offers it. */
export interface DevicesPort {
  list(): DeviceWithStatus[];
  statuses(): DeviceStatus[];
  put(cfg: DeviceConfig): Promise<DeviceWithStatus>;
  remove(id: string): Promise<boolean>;
  /** Fault injection on a simulated device (demo and tests). */
  simulate(id: string, fault: SimFault): DeviceStatus;
  /**
   * A test ticket on one ticket printer (the admin console, issue 13); never rejects (a
   * failure is the result). UNKNOWN_DEVICE, or VALIDATION_FAILED for a device that prints no tickets.
   */
  testPrint(id: string, job: TicketPrint): Promise<PrintResult>;
  /** Print bytes laid out elsewhere (a case receipt) on a counter's printer; never rejects. */
  printAtCounter(counterId: string, jobId: string, encode: (width: 58 | 80) => Buffer): Promise<PrintResult>;
}

/** The hub's own voice for call screens. */
export interface VoicePort {
  /** Whether announcements are made here (else call screens use the browser's speech). */
  readonly available: boolean;
  /** URL path of a call's announcement, known at once; undefined when there is no voice. */
  urlFor(call: Pick<CallInfo, "number" | "counterNumber">, lang?: "zh" | "en"): string | undefined;
  /** The audio file for a name handed out by `urlFor` (or the chime), if there is one. */
  file(name: string): Promise<string | undefined>;
}

/**
 * A ticket to print, as the issuing desk words it: the hall's own type (hardware/ has its
 * own job type of the same shape; the device manager hands one to the other), so hall/
 * depends on no driver.
 */
export interface TicketPrint {
  /** Idempotence key: a retried job with the same id is printed at most once. */
  jobId: string;
  hallName: string;
  /** The queue number, e.g. "A023". */
  number: string;
  matterName: string;
  zoneName: string;
  floor: string;
  /** People waiting before this ticket. */
  ahead: number;
  estimatedWaitMin: number;
  /** The estimate as the screens word it ("约 10 分钟"), so paper and screen never disagree. */
  estimatedWaitText?: string;
  /** Issue time already formatted for the hall's locale. */
  issuedAtText: string;
  /** Where the visitor follows the queue on a phone. */
  qrUrl: string;
  /** Required materials; the first three are printed. */
  materials: string[];
  lang: "zh" | "en";
  footer?: string;
}

/**
 * A ticket handed to the printer before it is made (see issuing: the printer's status
 * question travels while the journal writes the ticket). `ready` resolves to the ticket,
 * or to null when it was refused and nothing is to be printed; it must always resolve.
 */
export interface PendingTicketPrint {
  jobId: string;
  ready: Promise<TicketPrint | null>;
}

/** Printing as the issuing desk needs it; the device manager provides it. */
export interface PrintPort {
  /** Print on the kiosk's printer; never rejects (a failure is a result, the ticket stays valid). */
  printTicket(kioskId: string, job: TicketPrint | PendingTicketPrint): Promise<PrintResult>;
}
