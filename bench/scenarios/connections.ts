// Connections: server RSS per idle connection at 1,000 and 5,000 synced clients, and connections opened per second.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { processRssBytes } from '../lib/rss.ts';
import type { Scenario, Target } from '../lib/scenario.ts';
import { REPO_ROOT } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { ratio, type Cell } from '../lib/table.ts';
import { Generator, split } from '../load/generator.ts';
import { RAW_WS, type LoadTarget } from '../load/raw-ws-server.ts';

const SERVER_KEYS = ['tandem', 'hocuspocus-default', 'y-websocket'];
/** Clients per document in the headline cases (as in the scale scenario). */
const CLIENTS_PER_DOC = 10;
const CLIENTS_PER_GENERATOR = 1000;
const TARGET_KB = 30;

/** N connections, `perDoc` of them on each document. */
interface Case {
  count: number;
  perDoc: number;
}

interface Measure {
  rssPerConnectionKB: number;
  connectionsPerSecond: number;
}

export const connections: Scenario = {
  id: 'connections',
  title: 'Idle connections',
  async run(context) {
    // The full run adds one document per connection at 1,000: how much of the figure is the documents'.
    const cases: Case[] = context.quick
      ? [{ count: 1000, perDoc: CLIENTS_PER_DOC }]
      : [{ count: 1000, perDoc: CLIENTS_PER_DOC }, { count: 5000, perDoc: CLIENTS_PER_DOC }, { count: 1000, perDoc: 1 }];
    const counts = [...new Set(cases.map((c) => c.count))];
    const settleMs = context.quick ? 1000 : 3000;
    const setups: LoadTarget[] = context.servers(SERVER_KEYS);
    // The raw baseline is a reference: it runs whenever a reference server does.
    const targets = setups.some((s) => !s.tandem) ? [...setups, RAW_WS] : setups;
    const script = join(REPO_ROOT, 'bench/load/connections-worker.ts');
    const generatorCount = Math.max(2, Math.ceil(Math.max(...counts) / CLIENTS_PER_GENERATOR));
    const generators = Array.from({ length: generatorCount }, (_, i) => new Generator(`connections generator ${i}`, script));
    const results = new Map<string, Measure[]>();
    try {
      for (let run = 0; run < context.runs; run += 1) {
        for (const { count, perDoc } of cases) {
          const order = targets.map((_, i) => targets[(i + run) % targets.length]!);
          for (const target of order) {
            const measure = await measureConnections(target, join(context.workDir, `${target.key}-${count}-${perDoc}-${run}`), generators, { count, perDoc }, settleMs, context);
            const id = `${target.key}/${count}/${perDoc}`;
            results.set(id, [...(results.get(id) ?? []), measure]);
            context.progress(
              `run ${run + 1}/${context.runs} ${target.key}, ${count} connections, ${perDoc} per document: ${measure.rssPerConnectionKB.toFixed(1)} KB/connection, ` +
                `${measure.connectionsPerSecond.toFixed(0)} connections/s`,
            );
          }
        }
      }
    } finally {
      await Promise.all(generators.map((generator) => generator.stop()));
    }

    const figure = (key: string, { count, perDoc }: Case, field: keyof Measure) =>
      median((results.get(`${key}/${count}/${perDoc}`) ?? []).map((m) => m[field]));
    const rows: Cell[][] = cases.flatMap((c) =>
      targets.map((target) => [
        target.name,
        c.count,
        target.protocol === 'raw' ? Number.NaN : c.perDoc,
        figure(target.key, c, 'rssPerConnectionKB'),
        ratio(figure(target.key, c, 'rssPerConnectionKB'), figure(RAW_WS.key, c, 'rssPerConnectionKB')),
        figure(target.key, c, 'connectionsPerSecond'),
      ]),
    );
    const tandemKB = figure('tandem', cases[0]!, 'rssPerConnectionKB');
    const yWebsocketKB = figure('y-websocket', cases[0]!, 'rssPerConnectionKB');
    const measured = Number.isFinite(tandemKB) && Number.isFinite(yWebsocketKB);
    const target: Target = {
      text:
        `Tandem idle RSS per connection at 1,000 connections (${CLIENTS_PER_DOC} per document) ≤ ${TARGET_KB} KB → ${Number.isFinite(tandemKB) ? `${tandemKB.toFixed(1)} KB` : 'not measured'}`,
      met: Number.isFinite(tandemKB) ? tandemKB <= TARGET_KB : null,
    };
    // The hot-path issue's target: no more per connection than the y-websocket server in the same run.
    const againstYWebsocket: Target = {
      text:
        `Tandem idle RSS per connection at 1,000 connections ≤ the y-websocket server's → ` +
        (measured ? `${tandemKB.toFixed(1)} vs ${yWebsocketKB.toFixed(1)} KB = ${ratio(tandemKB, yWebsocketKB)}` : 'not measured'),
      met: measured ? tandemKB <= yWebsocketKB : null,
    };
    return {
      method:
        `A fresh server per measurement; ${counts.join(' and ')} clients (${CLIENTS_PER_DOC} per document${cases.some((c) => c.perDoc === 1) ? ', and 1,000 with one document each' : ''}; each a real provider that ` +
        `synced its document) opened from ${generatorCount} generator processes with 64 handshakes in flight each. ` +
        `RSS per connection = (server VmRSS ${settleMs / 1000} s after the last sync − VmRSS before) ÷ N; connections/s = N ÷ ` +
        `(first open → last synced). Median of ${context.runs} run(s), servers interleaved.`,
      header: ['server', 'connections', 'clients/document', 'RSS KB/connection', 'vs raw ws', 'connections/s'],
      rows,
      targets: [target, againstYWebsocket],
      charts: [],
      notes: [
        `Documents: N ÷ clients-per-document fresh, empty documents; with ${CLIENTS_PER_DOC} per document each connection also carries a tenth of a loaded document (Y.Doc, awareness, server bookkeeping), with 1 a whole one.`,
        'RSS moves in steps as V8 grows its heap, so at 1,000 connections a run can land ±2 KB/connection from the next; 5,000 amortizes the steps.',
        'Before "RSS before", 10 clients connect and leave, so code loaded on first use is not counted per connection.',
        'The raw ws baseline is a bare `ws` server that echoes; its client opens a socket and counts as synced on the echo of one byte.',
        'KB = 1,024 bytes. RSS includes heap not yet collected: no GC is forced in the server.',
      ],
    };
  },
};

async function measureConnections(
  target: LoadTarget,
  dataDir: string,
  generators: Generator[],
  { count, perDoc }: Case,
  settleMs: number,
  context: { profileDir: string | undefined; tandemMain: string | undefined },
): Promise<Measure> {
  const server = await target.start(dataDir, { profileDir: context.profileDir, tandemMain: context.tandemMain });
  const pid = server.child.process.pid;
  const use = generators.slice(0, Math.max(2, Math.ceil(count / CLIENTS_PER_GENERATOR)));
  const base = { protocol: target.protocol, url: server.wsUrl };
  try {
    await use[0]!.request('open', { ...base, docs: Array.from({ length: 10 }, () => 'warm-up') });
    await use[0]!.request('close');
    await delay(settleMs);
    const rssBefore = processRssBytes(pid);
    const replies = await Promise.all(
      split(count, use.length).map(([start, end], i) =>
        use[i]!.request('open', { ...base, docs: Array.from({ length: end - start }, (_, c) => `conn-${Math.floor((start + c) / perDoc)}`) }, 300_000),
      ),
    );
    const startedAt = Math.min(...replies.map((r) => Number(r.startedAt)));
    const endedAt = Math.max(...replies.map((r) => Number(r.endedAt)));
    await delay(settleMs);
    const rssAfter = processRssBytes(pid);
    const statuses = await Promise.all(use.map((generator) => generator.request('status')));
    const dropped = statuses.reduce((sum, s) => sum + Number(s.dropped), 0);
    if (dropped > 0) throw new Error(`${target.key}: ${dropped} of ${count} idle connections were closed`);
    return { rssPerConnectionKB: (rssAfter - rssBefore) / count / 1024, connectionsPerSecond: (count * 1000) / (endedAt - startedAt) };
  } finally {
    await Promise.all(use.map((generator) => generator.request('close')));
    await server.stop();
  }
}
