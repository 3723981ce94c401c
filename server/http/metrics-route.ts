// GET /metrics: the Prometheus text exposition of Tandem's own registry.
import { Hono } from 'hono';
import type { Metrics } from '../metrics/registry.ts';

export function metricsRoutes(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
