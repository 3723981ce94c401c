// The cluster's Prometheus metrics, per instance: ownership, sessions and relays, moves, lease and fencing events.
// Registered only when the cluster layer loads; figures are plain numbers read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the cluster counts as it goes (cheap: plain additions on the relay path). */
export interface ClusterStats {
  framesToOwner: number;
  framesFromOwner: number;
  leaseClaims: number;
  leaseLosses: number;
  sessionMoves: number;
  fencedWrites: number;
}

export function newClusterStats(): ClusterStats {
  return { framesToOwner: 0, framesFromOwner: 0, leaseClaims: 0, leaseLosses: 0, sessionMoves: 0, fencedWrites: 0 };
}

export interface ClusterGaugeSources {
  documentsOwned(): number;
  /** Client sessions by where they are served. */
  sessions(): { local: number; remote: number };
  /** Change frames held for replay until their owner acknowledges them, over all sessions. */
  unacknowledgedFrames(): number;
  /** Relay connections from other instances to documents owned here. */
  relaysIn(): number;
  coordinatorUp(): boolean;
}

export function registerClusterMetrics(registry: Registry, stats: ClusterStats, sources: ClusterGaugeSources): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  // Monotonic totals kept as plain numbers: set at scrape time.
  const total = (name: string, help: string, read: () => number, labels?: { labelNames: string[]; values: () => Array<[Record<string, string>, number]> }) =>
    new Counter({
      name,
      help,
      labelNames: labels?.labelNames ?? [],
      registers,
      collect() {
        this.reset();
        if (labels) for (const [label, value] of labels.values()) this.inc(label, value);
        else this.inc(read());
      },
    });

  gauge('tandem_cluster_documents_owned', 'Documents this instance holds the lease of', sources.documentsOwned);
  new Gauge({
    name: 'tandem_cluster_sessions',
    help: 'Client sessions of a document, by where they are served: local (this instance owns it) or remote (relayed to its owner)',
    labelNames: ['route'],
    registers,
    collect() {
      const { local, remote } = sources.sessions();
      this.set({ route: 'local' }, local);
      this.set({ route: 'remote' }, remote);
    },
  });
  gauge('tandem_cluster_unacknowledged_frames', 'Change frames kept for replay until their owner acknowledges them (how far the relay path lags)', sources.unacknowledgedFrames);
  gauge('tandem_cluster_relays_in', 'Relay connections from other instances to documents owned here', sources.relaysIn);
  gauge('tandem_cluster_coordinator_up', 'Whether Redis answers (1) or not (0): while it does not, owned documents are served and new ones wait', () => (sources.coordinatorUp() ? 1 : 0));
  total('tandem_cluster_relayed_frames_total', 'Frames relayed between this instance\'s clients and other owners, by direction', () => 0, {
    labelNames: ['direction'],
    values: () => [
      [{ direction: 'to_owner' }, stats.framesToOwner],
      [{ direction: 'from_owner' }, stats.framesFromOwner],
    ],
  });
  total('tandem_cluster_lease_claims_total', 'Leases this instance took (a document it started to own)', () => stats.leaseClaims);
  total('tandem_cluster_lease_losses_total', 'Leases lost to another instance (this instance was paused or cut off)', () => stats.leaseLosses);
  total('tandem_cluster_session_moves_total', 'Client sessions moved to another route (failover, drain, lost lease) without closing the client', () => stats.sessionMoves);
  total('tandem_cluster_fenced_writes_total', 'Write batches PostgreSQL refused because another instance had taken the document over', () => stats.fencedWrites);
}
