// The suite's report: one section per scenario, as plain text on stdout and as Markdown for the docs.
import type { Scenario, ScenarioResult, Target } from './scenario.ts';
import { formatMarkdownTable, formatTable } from './table.ts';

export interface RunInfo {
  command: string;
  startedAt: string;
  totalSeconds: number;
  runs: number;
  quick: boolean;
  loadAverage: number[];
  machine: { node: string; cpus: number; cpuModel: string; memoryGiB: number };
}

function verdict(target: Target): string {
  return target.met === null ? 'not measured' : target.met ? 'met' : '**MISSED**';
}

export function renderTextSection(scenario: Scenario, result: ScenarioResult): string {
  const lines = [`== ${scenario.title}`, result.method, '', formatTable(result.header, result.rows)];
  if (result.targets.length > 0) {
    lines.push('', 'Targets:', ...result.targets.map((t) => `  ${t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'}  ${t.text}`));
  }
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `  note: ${note}`));
  if (result.charts.length > 0) lines.push('', ...result.charts.map((chart) => `  chart: ${chart.file} (${chart.title})`));
  return lines.join('\n');
}

/** The whole run as Markdown; chart links are relative to docs/ (where the file is written). */
export function renderMarkdownReport(run: RunInfo, results: readonly { scenario: Scenario; result: ScenarioResult; seconds: number }[]): string {
  const out = [
    '# Benchmark results (generated)',
    '',
    `Written by \`${run.command}\` on ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC; ` +
      `${run.quick ? 'quick mode, ' : ''}median of ${run.runs} run(s); ${run.totalSeconds.toFixed(0)} s in all.`,
    `Machine: ${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}; ` +
      `1-minute load average ${run.loadAverage.map((l) => l.toFixed(2)).join(' → ')}.`,
    'See docs/benchmarks.md for what each scenario measures and the analysis of missed targets.',
  ];
  for (const { scenario, result, seconds } of results) {
    out.push('', `## ${scenario.title}`, '', `${result.method} (${seconds.toFixed(0)} s)`, '', formatMarkdownTable(result.header, result.rows));
    if (result.targets.length > 0) out.push('', ...result.targets.map((t) => `- ${t.text}: ${verdict(t)}`));
    if (result.notes.length > 0) out.push('', ...result.notes.map((note) => `> ${note}`));
    for (const chart of result.charts) out.push('', `![${chart.title}](charts/${chart.file})`);
  }
  return `${out.join('\n')}\n`;
}
