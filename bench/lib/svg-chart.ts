// Dependency-free SVG line charts for the benchmark report: axes with units, a legend, optional log x.

export interface Series {
  name: string;
  /** [x, y] pairs; points with a non-finite y are left out (a gap). */
  points: readonly (readonly [number, number])[];
  /** Dashed stroke, e.g. for a target line or a reference. */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Log-scaled x axis (e.g. readers 1–500); ticks at `xTicks` or at powers of ten. */
  logX?: boolean;
  xTicks?: readonly number[];
  /** Log-scaled y axis (latencies spanning decades), ticks at 1, 2, 5 × 10^k; values ≤ 0 are left out. */
  logY?: boolean;
  /** Draw a dot at every point (for sparse series). */
  markers?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 420;
  const margin = { top: 48, right: 24, bottom: 56, left: 72 };
  const legendWidth = Math.min(260, 40 + 7 * Math.max(...options.series.map((s) => s.name.length), 0));
  const plot = { x: margin.left, y: margin.top, w: width - margin.left - margin.right - legendWidth, h: height - margin.top - margin.bottom };

  const logY = options.logY === true;
  const plotted = ([x, y]: readonly [number, number]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  const points = options.series.flatMap((s) => s.points.filter(plotted));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const yTicks = logY ? logTicks(ys.length ? Math.min(...ys) : 1, ys.length ? Math.max(...ys) : 10) : niceTicks(0, ys.length ? Math.max(...ys) : 1, 6);
  const yLow = yTicks[0]!;
  const yMax = yTicks[yTicks.length - 1]!;

  const logX = options.logX === true && xMin > 0;
  const xTicks = options.xTicks ?? (logX ? powersOfTen(xMin, xMax) : niceTicks(xMin, xMax, 8));
  const xLow = logX ? Math.min(xMin, ...xTicks) : Math.min(xMin, xTicks[0]!);
  const xHigh = logX ? Math.max(xMax, ...xTicks) : Math.max(xMax, xTicks[xTicks.length - 1]!);
  const scaleX = (x: number) => {
    const fraction = logX ? Math.log(x / xLow) / Math.log(xHigh / xLow || 10) : (x - xLow) / (xHigh - xLow || 1);
    return plot.x + fraction * plot.w;
  };
  const scaleY = (y: number) =>
    plot.y + plot.h - (logY ? Math.log(y / yLow) / Math.log(yMax / yLow || 10) : y / (yMax || 1)) * plot.h;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escape(options.title)}</text>`,
  ];
  for (const tick of yTicks) {
    const y = scaleY(tick);
    out.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${plot.x - 8}" y="${y + 4}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const x = scaleX(tick);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${plot.y}" y2="${plot.y + plot.h}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${plot.y + plot.h + 18}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  out.push(
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#888"/>`,
    `<text x="${plot.x + plot.w / 2}" y="${height - 14}" text-anchor="middle">${escape(options.xLabel)}${logX ? ' (log scale)' : ''}</text>`,
    `<text transform="translate(18 ${plot.y + plot.h / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}${logY ? ' (log scale)' : ''}</text>`,
  );

  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length]!;
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    // A non-finite y breaks the line into segments.
    const segments: string[][] = [[]];
    for (const [x, y] of series.points) {
      if (!plotted([x, y])) segments.push([]);
      else segments[segments.length - 1]!.push(`${scaleX(x).toFixed(1)},${scaleY(y).toFixed(1)}`);
    }
    for (const segment of segments.filter((s) => s.length > 1)) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${segment.join(' ')}"/>`);
    }
    if (options.markers) {
      for (const [x, y] of series.points.filter(plotted)) {
        out.push(`<circle cx="${scaleX(x).toFixed(1)}" cy="${scaleY(y).toFixed(1)}" r="3.5" fill="${color}"/>`);
      }
    }
    const legendY = plot.y + 8 + index * 20;
    const legendX = plot.x + plot.w + 16;
    out.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"${dash}/>`,
      `<text x="${legendX + 28}" y="${legendY + 4}">${escape(series.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** About `count` round ticks from `min` to at least `max` (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count: number): number[] {
  const range = max - min || Math.abs(max) || 1;
  const raw = range / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick < max + step * 0.999; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

/** 1, 2, 5 × 10^k from the last at or below `min` to the first at or above `max` (at least two). */
function logTicks(min: number, max: number): number[] {
  const all: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)) + 1; power += 1) {
    for (const mantissa of [1, 2, 5]) all.push(Number((mantissa * 10 ** power).toPrecision(6)));
  }
  const first = Math.max(0, all.findLastIndex((tick) => tick <= min));
  const last = Math.max(first + 1, all.findIndex((tick) => tick >= max));
  return all.slice(first, last + 1);
}

function powersOfTen(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) ticks.push(10 ** power);
  return ticks;
}

function formatTick(value: number): string {
  return Math.abs(value) >= 1000 ? value.toLocaleString('en-US') : String(Number(value.toPrecision(6)));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
