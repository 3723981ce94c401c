// Asks PostgreSQL now and then whether it answers, so /readyz says "unreachable" also while nobody writes.
import { isRetryable, type PgDatabase } from './database.ts';

export class HealthProbe {
  #database: PgDatabase;
  #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #error: Error | null = null;
  #running = false;

  constructor(database: PgDatabase, intervalMs: number) {
    this.#database = database;
    this.#intervalMs = intervalMs;
  }

  /** The last probe's error while PostgreSQL does not answer; null once it does. */
  get error(): Error | null {
    return this.#error;
  }

  start(): void {
    // Unref'd: a probe never keeps the process alive.
    this.#timer = setInterval(() => void this.#probe(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #probe(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#database.query({ name: 'tandem-health', text: 'SELECT 1', values: [] });
      this.#error = null;
    } catch (error) {
      // Only "cannot reach": anything else is not the database being away, and writes report it themselves.
      if (isRetryable(error)) this.#error = error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#running = false;
    }
  }
}
