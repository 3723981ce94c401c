// Load generator of the connections and scale scenarios' ramp: many clients, each syncing one document.
//
//   node bench/load/connections-worker.ts      then commands on stdin (bench/load/worker.ts):
//   open {protocol, url, docs}    one client per entry of `docs` (a document name), up to 64 handshakes in
//                                 flight; replies {startedAt, endedAt} (clockMs) once all have synced
//   status                        replies {open, dropped}
//   close                         disconnect everything
import { clockMs } from './clock.ts';
import { Fleet, type LoadProtocol } from './fleet.ts';
import { serveCommands } from './worker.ts';

const CONCURRENCY = 64;
let fleet: Fleet | null = null;

serveCommands({
  async open(command) {
    fleet ??= new Fleet(command.protocol as LoadProtocol, command.url as string);
    const startedAt = clockMs();
    await fleet.openAll(command.docs as string[], CONCURRENCY);
    return { startedAt, endedAt: clockMs() };
  },
  status() {
    return { open: (fleet?.clients.length ?? 0) - (fleet?.dropped ?? 0), dropped: fleet?.dropped ?? 0 };
  },
  close() {
    fleet?.destroyAll();
    fleet = null;
  },
});
