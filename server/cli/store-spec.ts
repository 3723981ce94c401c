// Where the store commands read and write: `leveldb:./data` (or a bare path) or a postgres:// URL.
import { resolve } from 'node:path';
import { AppError } from '../errors.ts';
import { redactUrl } from '../storage/postgres/database.ts';

export type StoreSpec = { kind: 'leveldb'; dataDir: string } | { kind: 'postgres'; url: string };

const POSTGRES = /^postgres(ql)?:\/\//i;
// Any other scheme is a mistake to name, not a relative path to create (`mysql://…` as a directory).
const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Parses a store given on the command line; `what` names the flag in error messages. */
export function parseStoreSpec(text: string, what = 'store'): StoreSpec {
  const spec = text.trim();
  if (POSTGRES.test(spec)) return { kind: 'postgres', url: spec };
  if (/^leveldb:/i.test(spec)) {
    const dataDir = spec.slice('leveldb:'.length);
    if (dataDir === '') throw new AppError('bad-request', `${what}: leveldb: needs a data directory, e.g. leveldb:./data`);
    return { kind: 'leveldb', dataDir };
  }
  if (OTHER_URL.test(spec)) {
    throw new AppError('bad-request', `${what}: ${spec.split('://')[0]}:// is not a store Tandem knows; use leveldb:<dir> or postgres://…`);
  }
  if (spec === '') throw new AppError('bad-request', `${what}: empty; use leveldb:<dir> or postgres://…`);
  return { kind: 'leveldb', dataDir: spec };
}

/** The store for messages: the data directory, or the URL without its password. */
export function describeStore(spec: StoreSpec): string {
  return spec.kind === 'leveldb' ? `LevelDB at ${spec.dataDir}` : `PostgreSQL at ${redactUrl(spec.url)}`;
}

/** Whether two specs name the same store (the same directory, or the same database). */
export function sameStore(a: StoreSpec, b: StoreSpec): boolean {
  if (a.kind === 'leveldb' && b.kind === 'leveldb') return resolve(a.dataDir) === resolve(b.dataDir);
  if (a.kind === 'postgres' && b.kind === 'postgres') return databaseOf(a.url) === databaseOf(b.url);
  return false;
}

function databaseOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return url;
  }
}
