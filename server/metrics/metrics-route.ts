// GET /metrics: the Prometheus text exposition of Tandem's own registry, behind its access check.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Metrics } from './registry.ts';

/** `auth` decides who may scrape (server/auth/rest-auth.ts metricsAuth). */
export function metricsRoutes(metrics: Metrics, auth: MiddlewareHandler): Hono {
  const app = new Hono();
  app.get('/metrics', auth, async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
