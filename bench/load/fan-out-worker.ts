// Load generator of the fan-out scenario: readers (and the one writer) of one document, or whole documents
// each with its own closed-loop writer.
//
//   node bench/load/fan-out-worker.ts      then commands on stdin (bench/load/worker.ts):
//   open {protocol, url, doc, readers, writer}  connect readers (and a writer) to `doc`, reply once all synced
//   edit {seq}                                  the writer edits; each reader records edit sent → applied here,
//                                               and the process prints {msg:'got', seq} once all its readers have it
//   reset                                       forget latencies so far (after the warm-up)
//   collect                                     reply with the latency histogram
//   open-docs {protocol, url, docs, clientsPerDoc}   per document: one writer and clientsPerDoc − 1 readers
//   run-docs {seconds, warmupSeconds}           every writer edits closed-loop (next edit once its readers have
//                                               the last) for `seconds`; latencies after the warm-up
//   close                                       disconnect everything
// Every edit inserts a character and stamps {seq, t} in a Y.Map in the same transaction; t is clockMs().
import { Histogram } from '../lib/histogram.ts';
import { clockMs } from './clock.ts';
import { Fleet, type LoadClient, type LoadProtocol } from './fleet.ts';
import { emit, serveCommands, type Command } from './worker.ts';

interface Stamp {
  seq: number;
  t: number;
}

const CONCURRENCY = 64;
let fleet: Fleet | null = null;
let histogram = new Histogram();
let writer: LoadClient | null = null;

function edit(client: LoadClient, seq: number): void {
  client.doc.transact(() => {
    const text = client.doc.getText('text');
    text.insert(text.length, 'x');
    client.doc.getMap('stamp').set('s', { seq, t: clockMs() } satisfies Stamp);
  });
}

/** Calls `onStamp` for every stamp that arrives from the server (not for the client's own edits). */
function watch(client: LoadClient, onStamp: (stamp: Stamp, receivedAt: number) => void): void {
  const stamps = client.doc.getMap('stamp');
  stamps.observe((event) => {
    if (event.transaction.local) return;
    const receivedAt = clockMs();
    onStamp(stamps.get('s') as Stamp, receivedAt);
  });
}

async function openFleet(command: Command, names: string[]): Promise<LoadClient[]> {
  fleet?.destroyAll();
  fleet = new Fleet(command.protocol as LoadProtocol, command.url as string);
  histogram = new Histogram();
  return fleet.openAll(names, CONCURRENCY);
}

serveCommands({
  async open(command) {
    const readers = Number(command.readers);
    const names = Array.from({ length: readers + (command.writer ? 1 : 0) }, () => command.doc as string);
    const clients = await openFleet(command, names);
    writer = command.writer ? clients.pop()! : null;
    const received = new Map<number, number>();
    for (const reader of clients) {
      watch(reader, (stamp, receivedAt) => {
        histogram.record(receivedAt - stamp.t);
        const count = (received.get(stamp.seq) ?? 0) + 1;
        if (count < readers) return received.set(stamp.seq, count);
        received.delete(stamp.seq);
        emit({ msg: 'got', seq: stamp.seq });
      });
    }
    return { clients: clients.length };
  },
  edit(command) {
    if (!writer) throw new Error('edit: this generator has no writer');
    edit(writer, Number(command.seq));
  },
  reset() {
    histogram = new Histogram();
  },
  collect() {
    return { histogram: histogram.toJSON(), dropped: fleet?.dropped ?? 0 };
  },
  async 'open-docs'(command) {
    const docs = command.docs as string[];
    const perDoc = Number(command.clientsPerDoc);
    await openFleet(command, docs.flatMap((name) => Array.from({ length: perDoc }, () => name)));
    return { clients: fleet!.clients.length };
  },
  async 'run-docs'(command) {
    const started = clockMs();
    const warmEnd = started + Number(command.warmupSeconds) * 1000;
    const end = started + Number(command.seconds) * 1000;
    const clients = fleet!.clients;
    const byDoc = Map.groupBy(clients, (client) => client.documentName);
    let edits = 0;
    let measuredEdits = 0;
    let running = byDoc.size;
    await new Promise<void>((resolve) => {
      for (const group of byDoc.values()) {
        const [docWriter, ...readers] = group;
        let seq = 0;
        let count = 0;
        const next = () => {
          if (clockMs() >= end) {
            if (--running === 0) resolve();
            return;
          }
          seq += 1;
          edits += 1;
          if (clockMs() >= warmEnd) measuredEdits += 1;
          edit(docWriter!, seq);
        };
        for (const reader of readers) {
          watch(reader, (stamp, receivedAt) => {
            if (stamp.t >= warmEnd) histogram.record(receivedAt - stamp.t);
            if (++count < readers.length) return;
            count = 0;
            // Not from inside the observer: the next edit goes out after this message is fully handled.
            setImmediate(next);
          });
        }
        next();
      }
    });
    return { edits, measuredEdits, seconds: (clockMs() - started) / 1000, histogram: histogram.toJSON(), dropped: fleet!.dropped };
  },
  close() {
    fleet?.destroyAll();
    fleet = null;
    writer = null;
  },
});
