// Load generator of the scale scenario: whole documents of clients, each document edited once per second
// with an awareness update (its editor's cursor) once per second, every client renewing its awareness every
// 15 s as providers do; or, with awarenessPer 'connection', every client's awareness once per second.
//
//   node bench/load/scale-worker.ts      then commands on stdin (bench/load/worker.ts):
//   open {protocol, url, docs, clientsPerDoc, firstDoc, totalDocs}   connect; from now on print one
//        {msg:'window', at, open, dropped, edits, awareness} line per wall-clock second (histograms in ms)
//   start {at, seconds, awarenessPer}   from clock time `at`: document d edits at phase d/totalDocs of every
//                          second (its clients take turns) and that editor updates its awareness half a second
//                          later; client c renews its awareness at phase c/clients every 15th second
//                          ('document', default), or every second ('connection'); replies after `seconds`
//                          plus 2 s for late deliveries, with the totals
//   close                  disconnect everything
// An edit inserts a character and stamps its send time in a Y.Map (one transaction); an awareness update
// carries its send time in the state. Receivers time them against clockMs() (one host clock).
import { Histogram } from '../lib/histogram.ts';
import { clockMs } from './clock.ts';
import { Fleet, type LoadClient, type LoadProtocol } from './fleet.ts';
import { emit, serveCommands } from './worker.ts';

const CONCURRENCY = 64;
const GRACE_MS = 2000;
const RENEW_EVERY_SECONDS = 15;

let fleet: Fleet | null = null;
let groups: LoadClient[][] = [];
let firstDoc = 0;
let totalDocs = 1;
let measureFrom = Number.POSITIVE_INFINITY;
let windowEdits = new Histogram();
let windowAwareness = new Histogram();
let windowTimer: NodeJS.Timeout | undefined;
let loading = false;
let keepAliveTick = 0;
// Hocuspocus closes a socket that sent nothing for 30 s: outside the load, a tenth of the clients resend
// their awareness each second (as providers renew theirs every 15 s).
const keepAlive = setInterval(() => {
  if (loading || !fleet) return;
  keepAliveTick += 1;
  fleet.clients.forEach((client, index) => {
    if (index % 10 === keepAliveTick % 10) client.lean!.setAwareness({});
  });
}, 1000);
keepAlive.unref();
const emptyTotals = { editsSent: 0, awarenessSent: 0, editsReceived: 0, awarenessReceived: 0, editsExpected: 0, awarenessExpected: 0 };
let totals = { ...emptyTotals };

function listen(client: LoadClient): void {
  const stamps = client.doc.getMap('stamp');
  stamps.observe((event) => {
    if (event.transaction.local) return;
    const t = stamps.get('t') as number;
    if (t < measureFrom) return;
    windowEdits.record(clockMs() - t);
    totals.editsReceived += 1;
  });
  client.lean!.onAwareness((_clientId, state) => {
    const t = state?.t;
    if (typeof t !== 'number' || t < measureFrom) return;
    windowAwareness.record(clockMs() - t);
    totals.awarenessReceived += 1;
  });
}

/** One line per wall-clock second, aligned to whole seconds so lines from several generators line up. */
function scheduleWindow(): void {
  // A timer that fires late (a busy process) closes the window it was set for; none is emitted twice.
  const at = (Math.floor(clockMs() / 1000) + 1) * 1000;
  windowTimer = setTimeout(() => {
    emit({
      msg: 'window',
      at,
      open: (fleet?.synced ?? 0) - (fleet?.dropped ?? 0),
      dropped: fleet?.dropped ?? 0,
      edits: windowEdits.toJSON(),
      awareness: windowAwareness.toJSON(),
    });
    windowEdits = new Histogram();
    windowAwareness = new Histogram();
    scheduleWindow();
  }, at - clockMs());
}

serveCommands({
  async open(command) {
    fleet?.destroyAll();
    clearTimeout(windowTimer);
    fleet = new Fleet(command.protocol as LoadProtocol, command.url as string, 'lean');
    totals = { ...emptyTotals };
    measureFrom = Number.POSITIVE_INFINITY;
    firstDoc = Number(command.firstDoc);
    totalDocs = Number(command.totalDocs);
    const docs = command.docs as string[];
    const perDoc = Number(command.clientsPerDoc);
    scheduleWindow();
    const clients = await fleet.openAll(docs.flatMap((name) => Array.from({ length: perDoc }, () => name)), CONCURRENCY);
    groups = docs.map((_, d) => clients.slice(d * perDoc, (d + 1) * perDoc));
    for (const client of clients) listen(client);
    return { clients: clients.length };
  },
  async start(command) {
    const at = Number(command.at);
    const end = at + Number(command.seconds) * 1000;
    measureFrom = at;
    loading = true;
    // Every action at its phase within each second, sorted, walked by one timer.
    const clients = groups.flatMap((group) => group.map((client) => ({ client, peers: group.length - 1 })));
    const perConnection = command.awarenessPer === 'connection';
    const actions = [
      ...groups.map((group, d) => ({ phase: ((firstDoc + d) / totalDocs) * 1000, run: (cycle: number) => edit(group, cycle) })),
      ...(perConnection
        ? clients.map(({ client, peers }, c) => ({ phase: (c / clients.length) * 1000, run: () => updateAwareness(client, peers) }))
        : [
            // The editor's cursor moves with its edit.
            ...groups.map((group, d) => ({
              phase: ((((firstDoc + d) / totalDocs) * 1000 + 500) % 1000),
              run: (cycle: number) => updateAwareness(group[cycle % group.length]!, group.length - 1),
            })),
            // y-protocols' Awareness renews a client's state every 15 s (half its 30 s timeout), idle or not.
            ...clients.map(({ client, peers }, c) => ({
              phase: (c / clients.length) * 1000,
              run: (cycle: number) => {
                if ((cycle + c) % RENEW_EVERY_SECONDS === 0) updateAwareness(client, peers);
              },
            })),
          ]),
    ].sort((a, b) => a.phase - b.phase);
    // How late this process sends (a busy generator hides server delay: each send is stamped when it goes out).
    const lag = new Histogram();
    let cycle = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = clockMs();
        while (at + cycle * 1000 + actions[next]!.phase <= now) {
          if (at + cycle * 1000 + actions[next]!.phase >= end) return resolve();
          lag.record(clockMs() - (at + cycle * 1000 + actions[next]!.phase));
          actions[next]!.run(cycle);
          if (++next === actions.length) {
            next = 0;
            cycle += 1;
          }
        }
        setTimeout(tick, Math.min(2, Math.max(0, at + cycle * 1000 + actions[next]!.phase - now)));
      };
      setTimeout(tick, Math.max(0, at - clockMs()));
    });
    loading = false;
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
    return { ...totals, lag: lag.toJSON(), open: fleet!.clients.length - fleet!.dropped, dropped: fleet!.dropped };
  },
  close() {
    clearTimeout(windowTimer);
    fleet?.destroyAll();
    fleet = null;
  },
});

function edit(group: LoadClient[], cycle: number): void {
  const writer = group[cycle % group.length]!;
  writer.doc.transact(() => {
    const text = writer.doc.getText('text');
    text.insert(text.length, 'x');
    writer.doc.getMap('stamp').set('t', clockMs());
  });
  totals.editsSent += 1;
  totals.editsExpected += group.length - 1;
}

function updateAwareness(client: LoadClient, peers: number): void {
  client.lean!.setAwareness({ t: clockMs() });
  totals.awarenessSent += 1;
  totals.awarenessExpected += peers;
}
