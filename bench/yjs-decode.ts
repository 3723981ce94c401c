// The Yjs-alone baseline for cold load: decode a stored state into a fresh Y.Doc, nothing else.
//
//   node bench/yjs-decode.ts --state FILE [--repeat 7]
// Prints {"msg":"result", firstMs, warmMs: [...]}: the first decode in this fresh process (what a
// server that just started pays) and the repeats after it (JIT-warm).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { report } from './lib/provider.ts';

const { values } = parseArgs({ options: { state: { type: 'string' }, repeat: { type: 'string', default: '7' } } });
if (!values.state) throw new Error('--state is required');
const state = new Uint8Array(readFileSync(values.state));

const timeDecode = (): number => {
  const started = performance.now();
  Y.applyUpdate(new Y.Doc(), state);
  return Math.round((performance.now() - started) * 10) / 10;
};
const firstMs = timeDecode();
const warmMs = Array.from({ length: Number(values.repeat) }, timeDecode);
await report({ msg: 'result', stateBytes: state.length, firstMs, warmMs });
process.exit(0);
