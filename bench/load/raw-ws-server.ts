// Starts the raw `ws` baseline (bench/servers/raw-ws.ts) in its own process, shaped like a ServerSetup.
import { join } from 'node:path';
import { spawnNode } from '../lib/child.ts';
import { REPO_ROOT, type ProfileOption, type RunningServer, type ServerSetup } from '../lib/servers.ts';
import type { LoadProtocol } from './fleet.ts';

/** A server a load generator can target: one of the suite's setups, or the raw `ws` baseline. */
export interface LoadTarget extends Omit<ServerSetup, 'protocol'> {
  protocol: LoadProtocol;
}

export const RAW_WS: LoadTarget = {
  key: 'raw-ws',
  name: 'raw ws server (echo, no Yjs): baseline',
  protocol: 'raw',
  tandem: false,
  persistent: false,
  start: (_dir, options) => startRawWs(options),
};

async function startRawWs(options: ProfileOption): Promise<RunningServer> {
  const nodeFlags = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const child = spawnNode(join(REPO_ROOT, 'bench/servers/raw-ws.ts'), [], { cwd: REPO_ROOT, nodeFlags });
  const line = await child.waitForLine((l) => l.msg === 'listening', 30_000, 'listening');
  // RunningServer's protocol names the servers' client protocols; the raw clients ignore it.
  return { label: 'raw-ws', wsUrl: `ws://127.0.0.1:${String(line.port)}`, protocol: 'y-websocket', child, stop: () => child.stop('SIGTERM', 10_000) };
}
