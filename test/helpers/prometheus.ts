// A strict reader of the Prometheus text format (0.0.4) for tests: every line must parse.
import { setTimeout as delay } from 'node:timers/promises';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The value of `name` with exactly these labels (all of them), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses an exposition; throws on the first line that is not valid, naming it. */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue; // other comments are allowed
      if (!new RegExp(`^${NAME}$`).test(match[2] as string)) throw new Error(`bad metric name, ${where}`);
      if (match[1] === 'TYPE') {
        if (!TYPES.has(match[3] as string)) throw new Error(`bad type, ${where}`);
        types.set(match[2] as string, match[3] as string);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample, ${where}`);
    const labels: Record<string, string> = {};
    let rest = match[2] ?? '';
    while (rest.length > 0) {
      const label = LABEL.exec(rest);
      if (!label) throw new Error(`bad labels, ${where}`);
      labels[label[1] as string] = (label[2] as string).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      rest = rest.slice(label[0].length);
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const raw = (match[3] as string).toLowerCase();
    const value = /^[+]?inf$/.test(raw) ? Infinity : raw === '-inf' ? -Infinity : raw === 'nan' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`bad value, ${where}`);
    samples.push({ name: match[1] as string, labels, value });
  }
  return {
    samples,
    types,
    value(name, wanted = {}) {
      const keys = Object.keys(wanted);
      return samples.find(
        (s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === wanted[k]),
      )?.value;
    },
  };
}

export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/** Scrapes until `check` holds (the figures settle a moment after the traffic that moves them). */
export async function scrapeUntil(baseUrl: string, check: (metrics: Exposition) => boolean, timeoutMs: number, what: string): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrape(baseUrl);
    if (check(metrics)) return metrics;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
