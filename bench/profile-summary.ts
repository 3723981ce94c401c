// Summarises a V8 CPU profile (node --cpu-prof): the functions that take the most time.
//
//   node bench/profile-summary.ts FILE.cpuprofile [--top 25] [--under REGEX]
// Self time per function, inclusive time per function, and with --under, the self time spent inside
// callers matching REGEX (e.g. 'onLoadDocument|#load' to see what a document load costs).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, under: { type: 'string' } },
});
if (positionals.length !== 1) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile [--top N] [--under REGEX]');

const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
const top = Number(values.top);
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

// Microseconds of samples that landed in each node.
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const totalMicros = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

const label = (id: number): string => {
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|bench|test)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
};
const ancestry = (id: number): number[] => {
  const chain: number[] = [];
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) chain.push(current);
  return chain;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const under = new Map<string, number>();
const underPattern = values.under ? new RegExp(values.under) : null;
let underTotal = 0;
for (const [id, micros] of selfMicros) {
  add(self, label(id), micros);
  const labels = new Set(ancestry(id).map(label));
  for (const name of labels) add(inclusive, name, micros);
  if (underPattern && [...labels].some((name) => underPattern.test(name))) {
    add(under, label(id), micros);
    underTotal += micros;
  }
}

const print = (title: string, table: Map<string, number>, of: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${(micros / 1000).toFixed(1).padStart(9)} ms ${((100 * micros) / of).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
process.stdout.write(`${positionals[0]}: ${(totalMicros / 1000).toFixed(0)} ms sampled\n`);
print('self time', self, totalMicros);
print('inclusive time', inclusive, totalMicros);
if (underPattern) print(`self time under /${values.under}/ (${(underTotal / 1000).toFixed(1)} ms)`, under, underTotal || 1);

function add(table: Map<string, number>, key: string, micros: number): void {
  table.set(key, (table.get(key) ?? 0) + micros);
}
