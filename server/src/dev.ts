import { resolve } from "node:path";
import { createServer } from "vite";
import { startHub } from "./app.ts";
import { handOverAccounts } from "./store/first-start-accounts.ts";

/**
 * `npm run dev`: the hub on PORT (8080) and Vite's dev server on 5173 with hot reload;
 * Vite proxies /api and /socket.io to the hub and answers the page paths itself.
 */
const port = Number(process.env.PORT ?? 8080);
const hub = await startHub({
  port,
  dataDir: resolve(process.env.DATA_DIR ?? "./data"),
  ...(process.env.ADMIN_PASSWORD ? { adminPassword: process.env.ADMIN_PASSWORD } : {}),
});
process.env.HUB_URL = hub.url;
const vite = await createServer({ server: { port: 5173, host: "127.0.0.1" } });
await vite.listen();
console.log(`OneVisit dev: pages with hot reload at http://127.0.0.1:5173/kiosk (/counter, /display, /wall); hub at ${hub.url}`);
if (hub.created)
  console.log(
    (
      await handOverAccounts({
        created: hub.created,
        dataDir: resolve(process.env.DATA_DIR ?? "./data"),
        isTTY: process.stdout.isTTY === true,
        adminFromEnv: Boolean(process.env.ADMIN_PASSWORD),
      })
    ).join("\n"),
  );
