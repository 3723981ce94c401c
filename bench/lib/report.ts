// The suite's report: one section per scenario, as plain text on stdout and as Markdown for the docs.
import type { Scenario, ScenarioResult, Target } from './scenario.ts';
import { formatMarkdownTable, formatTable } from './table.ts';

export interface RunInfo {
  command: string;
  runs: number;
  quick: boolean;
  machine: { node: string; cpus: number; cpuModel: string; memoryGiB: number };
}

/** When one scenario ran and how busy the machine was (1-minute load average at its start and end). */
export interface SectionTiming {
  startedAt: string;
  seconds: number;
  loadAverage: [number, number];
}

function verdict(target: Target): string {
  return target.met === null ? 'not measured' : target.met ? 'met' : '**MISSED**';
}

export function renderTextSection(scenario: Scenario, result: ScenarioResult): string {
  const lines = [`== ${scenario.title}`, result.method, '', formatTable(result.header, result.rows)];
  for (const table of result.tables ?? []) {
    lines.push('', `-- ${table.title}`, formatTable(table.header, table.rows), ...(table.notes ?? []).map((note) => `  note: ${note}`));
  }
  if (result.targets.length > 0) {
    lines.push('', 'Targets:', ...result.targets.map((t) => `  ${t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'}  ${t.text}`));
  }
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `  note: ${note}`));
  if (result.charts.length > 0) lines.push('', ...result.charts.map((chart) => `  chart: ${chart.file} (${chart.title})`));
  return lines.join('\n');
}

/**
 * One scenario's results as Markdown, with the command and conditions that produced them, so that sections
 * measured by separate invocations can sit side by side in docs/benchmarks.md.
 */
export function renderMarkdownSection(run: RunInfo, scenario: Scenario, result: ScenarioResult, timing: SectionTiming): string {
  const out = [
    `### ${scenario.title}`,
    '',
    `\`${run.command}\`, ${timing.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${timing.seconds.toFixed(0)} s; ` +
      `${run.quick ? 'quick mode, ' : ''}${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}; ` +
      `1-minute load average ${timing.loadAverage.map((l) => l.toFixed(2)).join(' → ')}.`,
    '',
    /[.!?]$/.test(result.method) ? result.method : `${result.method}.`,
    '',
    formatMarkdownTable(result.header, result.rows),
  ];
  if (result.targets.length > 0) out.push('', ...result.targets.map((t) => `- ${t.text}: ${verdict(t)}`));
  if (result.notes.length > 0) out.push('', ...result.notes.map((note) => `- ${note}`));
  for (const table of result.tables ?? []) {
    out.push('', `#### ${table.title}`, '', formatMarkdownTable(table.header, table.rows));
    if (table.notes && table.notes.length > 0) out.push('', ...table.notes.map((note) => `- ${note}`));
  }
  for (const chart of result.charts) out.push('', `![${chart.title}](charts/${chart.file})`);
  return out.join('\n');
}

/**
 * Puts `section` between the scenario's markers in `document` (docs/benchmarks.md), or appends it with new
 * markers: each scenario's block is replaced by its latest run and the hand-written text around it is kept.
 */
export function replaceSection(document: string, scenarioId: string, section: string): string {
  const open = `<!-- bench:${scenarioId} -->`;
  const close = `<!-- /bench:${scenarioId} -->`;
  const block = `${open}\n${section}\n${close}`;
  const start = document.indexOf(open);
  const end = document.indexOf(close);
  if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, start) + block + document.slice(end + close.length);
}
