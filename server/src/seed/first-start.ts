import { randomBytes, randomInt } from "node:crypto";
import { generatePassword, hashPassword } from "../auth/passwords.ts";
import { localDay } from "../core/index.ts";
import type { HallService } from "../hall/service.ts";
import { CONFIG_VERSION, type ConfigData, type ConfigStore, type StaffRecord } from "../store/config.ts";
import type { CreatedAccounts } from "../store/first-start-accounts.ts";
import { demoCatalogue, demoDevices, demoStaff } from "./demo-hall.ts";

/** A booking valid today, as the start message lists it. */
export interface DemoBooking {
  code: string;
  matterId: string;
  slotAt: number;
}

/**
 * The configuration of a new data folder: the demo hall, its simulated devices, fresh
 * secrets, the admin account (with `adminPassword`, or a random one) and one account per
 * demo clerk with a random password. The passwords come back once, in `created`, for the
 * start message to hand over; only their hashes are saved.
 */
export async function firstStart(adminPassword: string | undefined): Promise<{ data: ConfigData; created: CreatedAccounts }> {
  const catalogue = demoCatalogue();
  const admin = adminPassword ?? generatePassword();
  const staff: StaffRecord[] = [
    { id: "s-admin", username: "admin", name: "管理员", role: "admin", ...(await hashPassword(admin)) },
  ];
  const created: CreatedAccounts = { admin, staff: [] };
  for (const [i, s] of demoStaff().entries()) {
    const password = generatePassword();
    staff.push({ id: `s-${String(i + 1).padStart(3, "0")}`, ...s, ...(await hashPassword(password)) });
    created.staff.push({ ...s, password });
  }
  return {
    created,
    data: {
      version: CONFIG_VERSION,
      catalogue,
      staff,
      devices: demoDevices(catalogue),
      appointments: [],
      secrets: { tokenKey: randomBytes(32).toString("base64"), idSalt: randomBytes(32).toString("base64") },
      demo: true,
    },
  };
}

/** Booking codes: unambiguous characters (no 0/O, 1/I/L), easy to type, 10 of them ≈ 50 bits: unguessable. */
const BOOKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
function bookingCode(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += BOOKING_ALPHABET[randomInt(BOOKING_ALPHABET.length)];
  return s;
}

/**
 * Today's unused bookings; in the demo hall, five new ones when today has none, so the
 * scanner path can be tried at the kiosk (bookings older than a week are dropped then).
 */
export async function ensureDemoBookings(config: ConfigStore, hall: HallService, now: number): Promise<DemoBooking[]> {
  const tz = config.data.catalogue.hall.timeZone;
  const day = hall.day;
  const today = config.data.appointments.filter((a) => localDay(a.slotAt, tz) === day);
  if (today.length === 0 && config.data.demo) {
    const matters = config.data.catalogue.matters;
    await config.update((d) => {
      d.appointments = d.appointments.filter((a) => a.slotAt > now - 7 * 86_400_000);
      for (let i = 0; i < 5; i++) {
        d.appointments.push({
          code: bookingCode(),
          matterId: (matters[(i * 7) % matters.length] as { id: string }).id,
          slotAt: now + i * 20 * 60_000,
        });
      }
    });
  }
  return config.data.appointments
    .filter((a) => localDay(a.slotAt, tz) === day && !a.usedByTicketId && !hall.bookingUsed(a.code))
    .map(({ code, matterId, slotAt }) => ({ code, matterId, slotAt }));
}
