import type { Express, NextFunction, Request, RequestHandler, Response } from "express";
import type { HubMetrics } from "./metrics.ts";

/**
 * `GET /metrics` for admins (Bearer admin token; docs/security.md says why not the loopback
 * address), and the timing of `POST /api/tickets` from its arrival to the reply sent.
 * Mounted by http/app.ts before the routes, so the issue timer sees every request.
 */
export function mountMetricsRoutes(
  app: Express,
  d: {
    /** Absent in API-only tests that build the app from stubs: the route then answers 404. */
    metrics: HubMetrics | undefined;
    /** Middleware chain that lets only admins through. */
    admin: RequestHandler[];
  },
): void {
  const m = d.metrics;
  if (m) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method === "POST" && req.path === "/api/tickets") {
        const body = req.body as { kioskId?: unknown } | undefined;
        res.once("finish", m.issueTimer(typeof body?.kioskId === "string"));
      }
      next();
    });
  }
  app.get("/metrics", ...d.admin, async (_req: Request, res: Response) => {
    if (!m) {
      res.status(404).json({ error: { code: "NOT_FOUND", message: "metrics are off" } });
      return;
    }
    const { contentType, text } = await m.exposition();
    res.set("cache-control", "no-store").type(contentType).send(text);
  });
}
