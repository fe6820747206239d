/**
 * One Vite build for every page. The hub serves dist/ (see docs/api.md): /kiosk,
 * /m/:ticketId, /counter, /display, /wall, /office, /q/:caseNo, /helpdesk, and /assets/* — hence base "/".
 * `npx vite` (dev) proxies the API and the socket to a hub at $HUB_URL.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { type Plugin, defineConfig } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

const ENTRIES: Record<string, string> = {
  kiosk: "kiosk-ui/index.html",
  phone: "kiosk-ui/phone.html",
  counter: "counter-ui/index.html",
  display: "display-ui/index.html",
  wall: "display-ui/wall.html",
  office: "office-ui/index.html",
  progress: "office-ui/progress.html",
  helpdesk: "helpdesk-ui/index.html",
  certificates: "certificate-ui/index.html",
  terminal: "terminal-ui/index.html",
  admin: "admin-ui/index.html",
  plan: "plan-ui/index.html",
  reports: "reports-ui/index.html",
};

const input = Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(root, file)]));

const hub = process.env.HUB_URL ?? "http://127.0.0.1:8080";

/** In dev, answer the hub's page paths (/kiosk, /m/:id …) with the source HTML entries. */
const PAGE_ROUTES: [RegExp, string][] = [
  [/^\/kiosk\/?(\?|$)/, "/kiosk-ui/index.html"],
  [/^\/m\//, "/kiosk-ui/phone.html"],
  [/^\/counter\/?(\?|$)/, "/counter-ui/index.html"],
  [/^\/display(\/window\/[^/?]+)?\/?(\?|$)/, "/display-ui/index.html"],
  [/^\/wall\/?(\?|$)/, "/display-ui/wall.html"],
  [/^\/office\/?(\?|$)/, "/office-ui/index.html"],
  [/^\/q\/[^/?]+\/?(\?|$)/, "/office-ui/progress.html"],
  [/^\/helpdesk\/?(\?|$)/, "/helpdesk-ui/index.html"],
  [/^\/certificates\/?(\?|$)/, "/certificate-ui/index.html"],
  [/^\/terminal\/?(\?|$)/, "/terminal-ui/index.html"],
  [/^\/admin\/?(\?|$)/, "/admin-ui/index.html"],
  [/^\/admin\/plan\/?(\?|$)/, "/plan-ui/index.html"],
  [/^\/admin\/reports\/?(\?|$)/, "/reports-ui/index.html"],
];
const hubRoutes: Plugin = {
  name: "onevisit-hub-routes",
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const url = req.url ?? "/";
      const hit = PAGE_ROUTES.find(([re]) => re.test(url));
      if (hit) req.url = hit[1] + (url.includes("?") ? url.slice(url.indexOf("?")) : "");
      next();
    });
  },
};

export default defineConfig({
  root,
  base: "/",
  plugins: [preact(), hubRoutes],
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: { input },
  },
  server: {
    proxy: {
      "/api": hub,
      "/socket.io": { target: hub, ws: true },
    },
  },
});
