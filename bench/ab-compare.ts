// Compares interleaved A/B runs of the suite: medians per side of every numeric cell of every result row, from the
// --json files each run wrote, and their ratio.
//
//   node bench/ab-compare.ts --a run1-a.json,run2-a.json,… --b run1-b.json,… [--match REGEX] [--markdown]
// Rows are matched by scenario, table and position; --match keeps the figures whose scenario, row or column matches.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.ts';
import { formatMarkdownTable, formatNumber, formatTable, ratio, type Cell } from './lib/table.ts';

interface JsonTable {
  title?: string;
  header: string[];
  rows: Cell[][];
}
interface JsonResult extends JsonTable {
  id: string;
  tables?: JsonTable[];
}

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, match: { type: 'string' }, markdown: { type: 'boolean', default: false } } });
if (!values.a || !values.b) throw new Error('usage: node bench/ab-compare.ts --a FILES --b FILES [--match REGEX] [--markdown]');

/** Every numeric cell of every run, keyed by scenario / table / row label / column. */
function figures(files: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const file of files.split(',')) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { results: JsonResult[] };
    for (const result of json.results) {
      for (const table of [result, ...(result.tables ?? [])]) {
        for (const [index, row] of table.rows.entries()) {
          // Rows are matched by position (every run of one command has the same rows in the same order); the label
          // is the row's leading text cells and, where those repeat (fan-out's reader counts), its position.
          const label = `${row.slice(0, row.findIndex((cell) => typeof cell === 'number')).join(' · ')} (row ${index + 1})`;
          row.forEach((cell, column) => {
            if (typeof cell !== 'number' || !Number.isFinite(cell)) return;
            const key = [result.id, table.title ?? '', label, table.header[column] ?? String(column)].join(' | ');
            found.set(key, [...(found.get(key) ?? []), cell]);
          });
        }
      }
    }
  }
  return found;
}

const a = figures(values.a);
const b = figures(values.b);
const match = values.match ? new RegExp(values.match, 'i') : null;
const rows: Cell[][] = [];
for (const [key, aValues] of a) {
  const bValues = b.get(key);
  if (!bValues || (match && !match.test(key))) continue;
  const [scenario, table, label, column] = key.split(' | ');
  rows.push([
    scenario!,
    [table, label].filter(Boolean).join(' · '),
    column!,
    median(aValues),
    median(bValues),
    ratio(median(bValues), median(aValues)),
    `${aValues.map(formatNumber).join(' / ')} | ${bValues.map(formatNumber).join(' / ')}`,
  ]);
}
const header = ['scenario', 'row', 'figure', 'A (median)', 'B (median)', 'B ÷ A', 'runs A | B'];
process.stdout.write(`${values.markdown ? formatMarkdownTable(header, rows) : formatTable(header, rows)}\n`);
