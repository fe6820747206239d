/** What the help desk publishes on its bus, after the store committed it. */
import type { HelpLedgerRow, HelpReminder } from "../contract/helpdesk.ts";

export type HelpBusEvents = {
  "help.changed": [row: HelpLedgerRow];
  "help.reminded": [r: HelpReminder];
};
