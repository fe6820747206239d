import { resolve } from "node:path";
import { startHub } from "./app.ts";
import { devicePathPrefixes } from "./devices/device-paths.ts";
import { limitsFromEnv } from "./pairing/limits.ts";
import { ConfigError } from "./store/config.ts";
import { handOverAccounts } from "./store/first-start-accounts.ts";

/** `npm start`: the hub with the demo hall, configured by PORT, DATA_DIR, ADMIN_PASSWORD, HOST, DEVICE_PATHS, VOICE_SEGMENTS_DIR, DATABASE_URL (cases in PostgreSQL instead of DATA_DIR/cases.db), COURIER_SECRET (the courier callback's HMAC secret). */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const dataDir = resolve(process.env.DATA_DIR ?? "./data");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError("bad PORT", [`PORT=${process.env.PORT}`]);
  const autoPair = process.env.PAIRING_AUTO_LOOPBACK;
  if (autoPair !== undefined && autoPair !== "0" && autoPair !== "1")
    throw new ConfigError("bad PAIRING_AUTO_LOOPBACK", [`PAIRING_AUTO_LOOPBACK=${autoPair} (use 1 or 0)`]);
  let limits: ReturnType<typeof limitsFromEnv>;
  try {
    limits = limitsFromEnv(process.env);
  } catch (err) {
    throw new ConfigError("bad issuing limit", [(err as Error).message]);
  }
  const hub = await startHub({
    port,
    dataDir,
    ...(process.env.HOST ? { host: process.env.HOST } : {}),
    ...(process.env.ADMIN_PASSWORD ? { adminPassword: process.env.ADMIN_PASSWORD } : {}),
    ...(process.env.VOICE_SEGMENTS_DIR ? { voiceSegmentsDir: resolve(process.env.VOICE_SEGMENTS_DIR) } : {}),
    devicePathPrefixes: devicePathPrefixes(process.env.DEVICE_PATHS),
    ...(autoPair !== undefined ? { autoPairLoopback: autoPair === "1" } : {}),
    limits,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    // The courier's callback secret (HMAC of each status push); default derived from the token key.
    ...(process.env.COURIER_SECRET ? { courierSecret: process.env.COURIER_SECRET } : {}),
    log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
    // Fail-stop: a restart replays the journal, which is the truth; memory is not.
    onFatal: (err) => {
      console.error(`OneVisit stops: ${err.message}`);
      process.exit(70);
    },
  });
  const u = hub.url;
  const lines = [
    "",
    "OneVisit 一次办好 — hub is running",
    `  取号机 Kiosk          ${u}/kiosk`,
    `  窗口 Counter          ${u}/counter`,
    `  叫号屏 Call screen     ${u}/display`,
    `  窗口屏 Window screen   ${u}/display/window/c01`,
    `  数据大屏 Data wall     ${u}/wall`,
    `  手机页 Phone page      ${u}/m/<ticketId> (from the ticket's QR code)`,
    `  API                   ${u}/api/health   (docs/api.md)`,
    `  Data folder           ${dataDir}`,
  ];
  if (hub.created) {
    const handOver = {
      created: hub.created,
      dataDir,
      isTTY: process.stdout.isTTY === true,
      adminFromEnv: Boolean(process.env.ADMIN_PASSWORD),
    };
    const shown = await handOverAccounts(handOver).catch(async (err: Error) => {
      // Without them nobody could sign in to this hall: as a last resort, print them.
      console.error(`OneVisit: cannot write the accounts file (${err.message}); printing the passwords instead`);
      return handOverAccounts({ ...handOver, isTTY: true });
    });
    lines.push("", ...shown);
  } else {
    lines.push("", "Sign in at /counter with your account (admin password: as set on first start).");
  }
  if (hub.bookings.length)
    lines.push("", `Demo booking codes for today (scan or type at the kiosk): ${hub.bookings.map((b) => b.code).join(" ")}`);
  console.log(lines.join("\n"));
  const stop = async () => {
    await hub.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`OneVisit cannot start: ${err.message}`);
  else console.error("OneVisit cannot start:", err);
  process.exit(1);
});
