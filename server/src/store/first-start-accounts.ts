import { open } from "node:fs/promises";
import { join } from "node:path";

/** Accounts made on the first start of a data folder, with their generated passwords. */
export interface CreatedAccounts {
  admin: string;
  staff: { username: string; name: string; role: string; counterId?: string; password: string }[];
}

/** Where the passwords go when the hub's output is not a terminal. */
export const ACCOUNTS_FILE = "first-start-accounts.txt";

/** How to change the generated passwords (said every time they are handed out). */
const CHANGE = [
  "Change them before the hall opens: as admin, reset each account's password on the staff page",
  "(POST /api/staff/:id/password) and hand the new one over in person; each is shown once.",
];

/** The account table: `  username  password  role @ counter  name`. */
function table(created: CreatedAccounts, adminFromEnv: boolean): string[] {
  return [
    "First start: accounts created (shown ONCE — write them down):",
    adminFromEnv ? "  admin     (the password set by ADMIN_PASSWORD)" : `  admin     ${created.admin}`,
    ...created.staff.map(
      (s) => `  ${s.username.padEnd(9)} ${s.password}  ${s.role}${s.counterId ? ` @ ${s.counterId}` : ""}  ${s.name}`,
    ),
  ];
}

/**
 * Hand the first start's passwords to the admin once, and never to a log: on a terminal
 * they are printed (returned for stdout); otherwise stdout is likely a log file (systemd,
 * docker logs, a redirect), so they go to a file in the data folder that only the hub's
 * user can read, and the returned lines only say where it is. Never through the hub's
 * `log` function.
 */
export async function handOverAccounts(opts: {
  created: CreatedAccounts;
  dataDir: string;
  /** Whether stdout is a terminal (process.stdout.isTTY). */
  isTTY: boolean;
  adminFromEnv: boolean;
}): Promise<string[]> {
  const lines = table(opts.created, opts.adminFromEnv);
  if (opts.isTTY) return [...lines, ...CHANGE];
  const file = join(opts.dataDir, ACCOUNTS_FILE);
  // "wx": never overwrite an earlier file (a second first start cannot happen: config.json exists).
  const fh = await open(file, "wx", 0o600);
  try {
    // The mode above is filtered by the umask; make sure nobody else can read it.
    await fh.chmod(0o600);
    await fh.writeFile(
      `${[...lines, "", ...CHANGE, "", `Delete this file (${file}) once the passwords are handed over.`].join("\n")}\n`,
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
  return [
    `First start: accounts created. Their passwords are NOT printed here (this output is not a terminal and may be kept in a log):`,
    `  they are in ${file} (readable by this user only). Read it, then delete it.`,
    ...CHANGE,
  ];
}
