// Admin API for webhooks: list the dead letters, send one again.
import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import { limitJsonBody } from '../http/body-limit.ts';

export function webhookAdminRoutes(dispatcher: WebhookDispatcher): Hono {
  const app = new Hono();
  app.get('/api/webhooks/dead-letters', async (c) => {
    const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000);
    const letters = await dispatcher.deadLetters(limit);
    return c.json({
      deadLetters: letters.map((letter) => ({
        id: String(letter.seq),
        eventId: letter.eventId,
        eventType: letter.eventType,
        document: letter.document,
        target: letter.target,
        attempts: letter.attempts,
        lastError: letter.lastError ?? null,
        createdAt: letter.createdAt,
        deadAt: letter.deadAt,
      })),
    });
  });
  app.post('/api/webhooks/dead-letters/:id/retry', limitJsonBody, async (c) => {
    const id = c.req.param('id');
    const seq = Number(id);
    if (!/^\d+$/.test(id) || !Number.isSafeInteger(seq)) throw new AppError('bad-request', 'a dead-letter id is a decimal number');
    if (!(await dispatcher.retryDeadLetter(seq))) throw new AppError('not-found', `no dead letter with id ${id}`);
    return c.json({ id, status: 'queued' }, 202);
  });
  return app;
}
