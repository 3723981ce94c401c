// Load generator of the cluster scenario: real providers, each connected to one instance of a cluster, driven by
// the runner over stdin (bench/load/worker.ts).
//
//   open {url, doc, expectClose?}        connect a provider; reply {client} once synced and its first changes acknowledged
//   listen {client}                      record the latency of every stamp that arrives on this client
//   reset / collect                      forget the latencies so far / reply with their histogram
//   prefill {client, trace, ops}         the trace's first `ops` ops, made in another Y.Doc, sent as one update
//   type {client, trace, from?, count, rate}
//                                        open loop: `count` of the trace's ops from op `from`, `rate` per second, each
//                                        op and a stamp {seq, t} under key seq in one transaction; reply once all
//                                        are acknowledged
//   seed {client, copies}                a large document: `copies` × the automerge-paper text as paragraphs, one
//                                        transaction per copy; reply once acknowledged, with the state's size
//   tokens {client, rate}                type one token per edit at `rate` per second until `stop`, noting when each
//                                        edit was made and acknowledged (failover)
//   acked-after {client, t, timeoutMs}   reply with the first edit made after t once it is acknowledged
//   stop {client}                        stop typing; reply, once every edit is acknowledged, with the edits' times
//   info {client}                        the client's text length and paragraph count
//   close {client} / close-all           disconnect
// Times are clockMs() (one clock for every process on the host).
import * as Y from 'yjs';
import { loadTrace, TRACE_NAMES, type Trace } from '../../test/helpers/traces.ts';
import { Histogram } from '../lib/histogram.ts';
import { connectProvider, type BenchClient } from '../lib/provider.ts';
import { clockMs } from './clock.ts';
import { serveCommands, type Command } from './worker.ts';

interface Stamp {
  seq: number;
  t: number;
}

interface Client {
  bench: BenchClient;
  /** Set for a client whose instance is about to be killed: its close is no failure. */
  expectClose: boolean;
  closedBy: string | null;
  /** Edits made by `type`/`tokens` since the client was last fully acknowledged, and when each was made and acknowledged. */
  edits: { sentAt: number; ackedAt: number | null }[];
  acked: number;
  typing: NodeJS.Timeout | null;
}

const clients = new Map<number, Client>();
let nextId = 1;
let histogram = new Histogram();
let received = 0;
const traces = new Map<string, Trace>();

function client(command: Command): Client {
  const found = clients.get(Number(command.client));
  if (!found) throw new Error(`no client ${String(command.client)}`);
  if (found.closedBy && !found.expectClose) throw new Error(`client ${String(command.client)} lost its socket: ${found.closedBy}`);
  return found;
}

function trace(name: string): Trace {
  const known = TRACE_NAMES.find((candidate) => candidate === name);
  if (!known) throw new Error(`unknown trace ${name}`);
  if (!traces.has(known)) traces.set(known, loadTrace(known));
  return traces.get(known)!;
}

/** Resolves once the provider has no unacknowledged change; rejects after `timeoutMs` or if the socket closes. */
async function acknowledged(entry: Client, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${entry.bench.provider.unsyncedChanges} change(s) not acknowledged after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([entry.bench.allAcknowledged(), entry.bench.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One edit through `edit`, with its time noted for `acknowledgedEdits`. */
function track(entry: Client, edit: () => void): void {
  entry.edits.push({ sentAt: clockMs(), ackedAt: null });
  edit();
}

serveCommands({
  async open(command) {
    const id = nextId++;
    const bench = connectProvider(String(command.url), String(command.doc));
    const entry: Client = { bench, expectClose: command.expectClose === true, closedBy: null, edits: [], acked: 0, typing: null };
    bench.closed.catch((error: unknown) => {
      entry.closedBy = (error as Error).message;
    });
    // Acknowledgements arrive in order: the n-th since the client was last idle is its n-th edit's.
    bench.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      const acked = entry.edits.length - number;
      const now = clockMs();
      for (; entry.acked < acked; entry.acked += 1) entry.edits[entry.acked]!.ackedAt = now;
    });
    clients.set(id, entry);
    await Promise.race([bench.synced, bench.closed]);
    await acknowledged(entry, 60_000);
    return { client: id, textLength: bench.doc.getText('text').length };
  },
  listen(command) {
    const { bench } = client(command);
    const stamps = bench.doc.getMap('stamp');
    stamps.observe((event) => {
      if (event.transaction.local) return;
      const now = clockMs();
      // One key per edit: a server that merges several edits into one message (extension-redis answers a state
      // vector with everything missing) delivers them in one transaction, and each still counts.
      for (const key of event.keysChanged) {
        histogram.record(now - (stamps.get(key) as Stamp).t);
        received += 1;
      }
    });
  },
  reset() {
    histogram = new Histogram();
    received = 0;
  },
  collect() {
    const dropped = [...clients.values()].filter((entry) => entry.closedBy && !entry.expectClose).length;
    return { histogram: histogram.toJSON(), received, dropped };
  },
  async type(command) {
    const entry = client(command);
    const { doc } = entry.bench;
    const ops = trace(String(command.trace)).ops;
    const from = Number(command.from ?? 0);
    const count = Number(command.count);
    if (from + count > ops.length) throw new Error(`the trace has ${ops.length} ops, not ${from + count}`);
    if (from === 0 && doc.getText('text').length !== 0) throw new Error('type replays a trace from its start: the text must be empty');
    const interval = 1000 / Number(command.rate);
    const text = doc.getText('text');
    const stamps = doc.getMap('stamp');
    entry.edits = [];
    entry.acked = 0;
    const started = clockMs();
    let late = 0;
    await new Promise<void>((resolve, reject) => {
      let index = 0;
      const next = () => {
        if (entry.closedBy) return reject(new Error(`the writer lost its socket: ${entry.closedBy}`));
        // Open loop on a fixed schedule: an edit that is due goes out now, however late the last one was.
        while (index < count && clockMs() >= started + index * interval) {
          const [position, deleteCount, insert] = ops[from + index]!;
          const seq = index;
          if (clockMs() - (started + index * interval) > interval) late += 1;
          track(entry, () =>
            doc.transact(() => {
              if (deleteCount > 0) text.delete(position, deleteCount);
              if (insert.length > 0) text.insert(position, insert);
              stamps.set(String(seq), { seq, t: clockMs() } satisfies Stamp);
            }),
          );
          index += 1;
        }
        if (index >= count) return resolve();
        setTimeout(next, Math.max(0, started + index * interval - clockMs()));
      };
      next();
    });
    const sentAt = clockMs();
    await acknowledged(entry, 120_000);
    const ackMs = entry.edits.map((edit) => edit.ackedAt! - edit.sentAt);
    return { sent: count, late, seconds: (sentAt - started) / 1000, ackHistogram: toHistogram(ackMs) };
  },
  async prefill(command) {
    const entry = client(command);
    const ops = trace(String(command.trace)).ops.slice(0, Number(command.ops));
    // The history typed elsewhere (another client id), arriving as one update, as a document loaded with it would.
    const local = new Y.Doc();
    const text = local.getText('text');
    for (const [position, deleteCount, insert] of ops) {
      local.transact(() => {
        if (deleteCount > 0) text.delete(position, deleteCount);
        if (insert.length > 0) text.insert(position, insert);
      });
    }
    const update = Y.encodeStateAsUpdate(local);
    Y.applyUpdate(entry.bench.doc, update);
    await acknowledged(entry, 120_000);
    return { textLength: entry.bench.doc.getText('text').length, updateBytes: update.length };
  },
  async seed(command) {
    const entry = client(command);
    const copies = Number(command.copies);
    const lines = trace('automerge-paper').finalText.split('\n');
    const fragment = entry.bench.doc.getXmlFragment('default');
    for (let copy = 0; copy < copies; copy += 1) {
      entry.bench.doc.transact(() => {
        fragment.insert(
          fragment.length,
          lines.map((line) => {
            const paragraph = new Y.XmlElement('paragraph');
            const lineText = new Y.XmlText();
            lineText.insert(0, line);
            paragraph.insert(0, [lineText]);
            return paragraph;
          }),
        );
      });
      // A few copies in flight at a time: each is one message of about 140 KB.
      if (copy % 4 === 3) await acknowledged(entry, 120_000);
    }
    await acknowledged(entry, 300_000);
    return { paragraphs: fragment.length, stateBytes: Y.encodeStateAsUpdate(entry.bench.doc).length };
  },
  tokens(command) {
    const entry = client(command);
    const text = entry.bench.doc.getText('text');
    const interval = 1000 / Number(command.rate);
    entry.edits = [];
    entry.acked = 0;
    let n = 0;
    const edit = () => {
      track(entry, () => text.insert(text.length, `t${n++};`));
      entry.typing = setTimeout(edit, interval);
    };
    edit();
  },
  async 'acked-after'(command) {
    const entry = client(command);
    const after = Number(command.t);
    const deadline = clockMs() + Number(command.timeoutMs);
    for (;;) {
      const edit = entry.edits.find((candidate) => candidate.sentAt > after);
      if (edit?.ackedAt != null) return { sentAt: edit.sentAt, ackedAt: edit.ackedAt };
      if (entry.closedBy) throw new Error(`the typist lost its socket: ${entry.closedBy}`);
      if (clockMs() > deadline) throw new Error(`no edit made after ${after} was acknowledged within ${String(command.timeoutMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },
  async stop(command) {
    const entry = client(command);
    if (entry.typing) clearTimeout(entry.typing);
    entry.typing = null;
    await acknowledged(entry, 60_000);
    return { edits: entry.edits, textLength: entry.bench.doc.getText('text').length };
  },
  info(command) {
    const { bench } = client(command);
    return { textLength: bench.doc.getText('text').length, text: bench.doc.getText('text').toString().slice(-200), paragraphs: bench.doc.getXmlFragment('default').length };
  },
  close(command) {
    const entry = clients.get(Number(command.client));
    if (entry?.typing) clearTimeout(entry.typing);
    entry?.bench.destroy();
    clients.delete(Number(command.client));
  },
  'close-all'() {
    for (const entry of clients.values()) {
      if (entry.typing) clearTimeout(entry.typing);
      entry.bench.destroy();
    }
    clients.clear();
  },
});

function toHistogram(values: readonly number[]): ReturnType<Histogram['toJSON']> {
  const result = new Histogram();
  for (const value of values) result.record(value);
  return result.toJSON();
}
