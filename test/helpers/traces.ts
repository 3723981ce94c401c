// Reads the real editing traces shipped in test/fixtures/traces (CC BY 4.0, see its README).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const TRACES_DIR = fileURLToPath(new URL('../fixtures/traces/', import.meta.url));

/** One edit: delete `deleteCount` characters at `position`, then insert `insert` there. */
export type TraceOp = [position: number, deleteCount: number, insert: string];

export interface Trace {
  name: string;
  ops: TraceOp[];
  finalText: string;
}

export const TRACE_NAMES = [
  'automerge-paper',
  'friendsforever_flat',
  'clownschool_flat',
  'json-crdt-blog-post',
  'sveltecomponent',
  'json-crdt-patch',
] as const;

export function loadTrace(name: (typeof TRACE_NAMES)[number]): Trace {
  const ops = JSON.parse(gunzipSync(readFileSync(join(TRACES_DIR, `${name}.ops.json.gz`))).toString('utf8')) as TraceOp[];
  const finalText = gunzipSync(readFileSync(join(TRACES_DIR, `${name}.final.txt.gz`))).toString('utf8');
  return { name, ops, finalText };
}
