import type { DeviceKind } from "../contract/devices.ts";
import { a4Module } from "./a4.ts";
import { idReaderModule } from "./idreader.ts";
import { keypadModule } from "./keypad.ts";
import { labelModule } from "./label.ts";
import { ledModule } from "./led.ts";
import type { DeviceModule } from "./lifecycle.ts";
import { posModule } from "./pos.ts";
import { printerModule } from "./printer.ts";
import { ratingModule } from "./rating.ts";
import { scannerModule } from "./scanner.ts";

/**
 * Every kind of device the hub can drive, one module each. Keyed by the contract's
 * DeviceKind, so a kind added there does not compile until its module is listed here
 * (see docs/devices.md, "Adding a kind of device").
 */
export const deviceModules: Readonly<Record<DeviceKind, DeviceModule>> = {
  printer: printerModule,
  led: ledModule,
  keypad: keypadModule,
  rating: ratingModule,
  idreader: idReaderModule,
  scanner: scannerModule,
  label: labelModule,
  a4: a4Module,
  pos: posModule,
};
