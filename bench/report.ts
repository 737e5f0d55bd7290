/**
 * The bench's outputs: the Markdown table printed by `npm run bench`, bench/results/latest.json, and the
 * table section of docs/performance.md (between the bench:latest markers; the prose around it is kept).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Figure } from './figure.ts';
import { summarize, type Summary } from './stats.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  loadavgStart: number[];
  loadavgEnd: number[];
}

export interface RunInfo {
  date: string;
  commit: string;
  mode: 'full' | 'short';
  /** The row groups BENCH_ONLY selected, when it did (bench/run.ts). */
  only?: string[];
  machine: Machine;
}

export interface ResultRow extends Omit<Figure, 'samples' | 'baseline'> {
  samples: number[];
  summary: Summary | null;
  baseline?: { what: string; samples: number[]; summary: Summary | null };
  ratioP50: number | null;
  ratioP95: number | null;
  met: boolean | null;
}

const MARK_START = '<!-- bench:latest -->';
const MARK_END = '<!-- /bench:latest -->';

export function evaluate(f: Figure): ResultRow {
  const summary = f.samples.length ? summarize(f.samples) : null;
  const base = f.baseline && f.baseline.samples.length ? summarize(f.baseline.samples) : null;
  const ratioP50 = summary && base ? summary.p50 / base.p50 : null;
  const ratioP95 = summary && base ? summary.p95 / base.p95 : null;
  let met: boolean | null = null;
  if (summary && f.goal) {
    const checks: boolean[] = [];
    if (f.goal.ratioP50 !== undefined && ratioP50 !== null) checks.push(ratioP50 <= f.goal.ratioP50);
    if (f.goal.p95 !== undefined) checks.push(summary.p95 <= f.goal.p95);
    if (f.goal.p50 !== undefined) checks.push(summary.p50 <= f.goal.p50);
    if (f.goal.addedP95 !== undefined && base) checks.push(summary.p95 - base.p95 <= f.goal.addedP95);
    met = checks.length ? checks.every(Boolean) : null;
  }
  return { ...f, summary, baseline: f.baseline ? { ...f.baseline, summary: base } : undefined, ratioP50, ratioP95, met };
}

function num(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toString();
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

const pair = (s: Summary | null | undefined, unit: string) => (s ? `${num(s.p50)} / ${num(s.p95)} ${unit} (n=${s.n})` : '');
const cell = (s: string) => s.replace(/\|/g, '\\|');

export function table(rows: readonly ResultRow[]): string {
  const lines = [
    '| workload | what is measured | Quire p50 / p95 | baseline | baseline p50 / p95 | ratio p50 (p95) | budget | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = r.ratioP50 !== null ? `${num(r.ratioP50)}x (${num(r.ratioP95!)}x)` : '';
    const met = r.pending ? r.pending : r.met === null ? 'reported' : r.met ? 'yes' : '**no**';
    const what = r.note ? `${r.what}; ${r.note}` : r.what;
    lines.push(
      `| ${cell(r.workload)} | ${cell(what)} | ${pair(r.summary, r.unit)} | ${cell(r.baseline?.what ?? '')} | ${pair(r.baseline?.summary, r.unit)} | ${ratio} | ${cell(r.budget)} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function header(info: RunInfo): string {
  const m = info.machine;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const only = info.only ? ` (BENCH_ONLY=${info.only.join(',')})` : '';
  return `Run ${info.date}, commit \`${info.commit}\`, ${info.mode} mode${only}; ${m.cpus} CPUs (${m.cpuModel}); load average (1/5/15 min) ${load(m.loadavgStart)} at start, ${load(m.loadavgEnd)} at end.`;
}

export function writeJson(path: string, info: RunInfo, rows: readonly ResultRow[]): void {
  writeFileSync(path, JSON.stringify({ ...info, figures: rows }, null, 2) + '\n');
}

/** Replaces the table section of docs/performance.md; the notes around it are kept as written. */
export function writeDoc(path: string, info: RunInfo, rows: readonly ResultRow[]): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  if (start < 0 || end < start) throw new Error(`${path} lost its ${MARK_START} ... ${MARK_END} markers`);
  const section = `${MARK_START}\n${header(info)}\n\n${table(rows)}\n${MARK_END}`;
  writeFileSync(path, text.slice(0, start) + section + text.slice(end + MARK_END.length));
}
