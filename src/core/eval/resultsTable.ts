// The results table of `esc eval` (and, later, the comparison page's export): one row per run, the
// paper's column order, in plain text, Markdown, LaTeX (booktabs) or CSV. No VS Code here: the CLI and
// the extension render the same table from the same runs.
//
// Numbers as the paper reports them: text metrics are already x100 (2 decimals), length in tokens
// (2 decimals); accuracy, weighted F1, macro F1 and error ratio are fractions shown as percentages
// with 2 decimals; p_bias is a standard deviation of preferences that sum to 8 (not a fraction), shown
// as is with 2 decimals; judge scores are 0-5 means (2 decimals), `missing` a count. CSV keeps every
// number raw (full precision, fractions as fractions) and marks nothing; its fields are quoted per
// RFC 4180, and the caller chooses the line ending (the CLI prints one line per row).
//
// "Best" per column (bold in Markdown, \textbf in LaTeX, only when at least two runs have the value):
// highest for BLEU, Dist, F1, ROUGE-L, accuracy, the F1s and the judge criteria; LOWEST for p_bias
// (a less biased strategy preference) and error ratio (fewer unusable predictions); none for length
// (longer is not better, nor shorter) and for the judge's missing count. Values are compared as shown
// (rounded), so runs that tie on the page are all marked. The plain table (a terminal) marks nothing.
//
// Deltas against a baseline run (Markdown, LaTeX, plain table): each value of every other run is
// followed by its difference from the baseline's, in the units shown (percentage points for the
// percentages), signed `+1.23` / `−0.45` (U+2212; in LaTeX math mode `$+1.23$` / `$-0.45$`).

import { JUDGE_CRITERIA, type JudgeCriterion } from './judgeCriteria';
import { TEXT_METRICS, type TextMetric } from './textMetrics';

export const TABLE_FORMATS = ['table', 'markdown', 'latex', 'csv'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export const STRATEGY_COLUMNS = ['accuracy', 'weighted_f1', 'macro_f1', 'p_bias', 'error_ratio'] as const;

/**
 * What the table needs of a run (EvalRun fits; `judge` only when the run was judged, a criterion null
 * when none of its answers parsed: shown as a dash, like a run without a judge).
 */
export interface ResultsRun {
  file: string;
  records: number;
  text: Record<TextMetric, number>;
  strategy: Record<(typeof STRATEGY_COLUMNS)[number], number>;
  judge?: Record<JudgeCriterion, number | null> & { missing: number };
}

type Best = 'max' | 'min' | 'none';

interface Column {
  key: string;
  latex: string;
  best: Best;
  /** The raw value (undefined: the run has none, e.g. not judged). */
  raw: (run: ResultsRun) => number | undefined;
  /** Raw value -> the number shown. */
  scale: number;
  digits: number;
  /** What the number is, for the comparison page's hover (FORMATS.md "Metrics the paper reports"). */
  definition: string;
  /** Over how many turns the value is taken (the hover's n); undefined when not known (the judge). */
  n: (run: ResultsRun) => number | undefined;
}

const TEXT_LATEX: Record<TextMetric, string> = {
  'bleu-1': 'BLEU-1',
  'bleu-2': 'BLEU-2',
  'bleu-3': 'BLEU-3',
  'bleu-4': 'BLEU-4',
  'dist-1': 'Dist-1',
  'dist-2': 'Dist-2',
  'dist-3': 'Dist-3',
  f1: 'F1',
  'rouge-l': 'ROUGE-L',
  length: 'Len.',
};

const TOKENS = 'tokens of nltk.word_tokenize(text.lower())';
const TEXT_DEFINITIONS: Record<TextMetric, string> = {
  'bleu-1': `BLEU-1 of the response against the gold response, per turn (NLTK corpus_bleu on the one pair, smoothing method 3), averaged over turns, x100; ${TOKENS}.`,
  'bleu-2': `BLEU-2 (uniform weights over 1- and 2-grams, smoothing method 3) per turn, averaged over turns, x100; ${TOKENS}.`,
  'bleu-3': `BLEU-3 (uniform weights over 1- to 3-grams, smoothing method 3) per turn, averaged over turns, x100; ${TOKENS}.`,
  'bleu-4': `BLEU-4 (uniform weights over 1- to 4-grams, smoothing method 3) per turn, averaged over turns, x100; ${TOKENS}.`,
  'dist-1': 'Distinct unigrams / unigrams of each response, averaged over turns, x100 (diversity; no reference).',
  'dist-2': 'Distinct bigrams / bigrams of each response, averaged over turns, x100 (diversity; no reference).',
  'dist-3': 'Distinct trigrams / trigrams of each response, averaged over turns, x100 (diversity; no reference).',
  f1: `Unigram F1 of the response against the gold response (multiset overlap; P = overlap/|response|, R = overlap/|gold|), averaged over turns, x100; ${TOKENS}.`,
  'rouge-l': `ROUGE-L: the longest common subsequence F-measure (beta 1.2) against the gold response, averaged over turns, x100; ${TOKENS}.`,
  length: `Mean length of the responses in tokens (${TOKENS}); no best: longer is not better.`,
};
const kept = (r: ResultsRun): number => Math.round(r.records * (1 - r.strategy.error_ratio));

function columns(judged: boolean): Column[] {
  const cols: Column[] = [
    ...TEXT_METRICS.map((m): Column => ({
      key: m,
      latex: TEXT_LATEX[m],
      best: m === 'length' ? 'none' : 'max',
      raw: (r) => r.text[m],
      scale: 1,
      digits: 2,
      definition: TEXT_DEFINITIONS[m],
      n: (r) => r.records,
    })),
    {
      key: 'accuracy',
      latex: 'Acc.',
      best: 'max',
      raw: (r) => r.strategy.accuracy,
      scale: 100,
      digits: 2,
      definition:
        'Strategy accuracy: turns whose predicted strategy is the gold one, over the turns whose prediction names one of the 8 strategies, in %.',
      n: kept,
    },
    {
      key: 'weighted_f1',
      latex: 'W-F1',
      best: 'max',
      raw: (r) => r.strategy.weighted_f1,
      scale: 100,
      digits: 2,
      definition:
        "Weighted strategy F1: the 8 per-strategy F1s weighted by each strategy's gold count (sklearn f1_score average='weighted'), in %.",
      n: kept,
    },
    {
      key: 'macro_f1',
      latex: 'M-F1',
      best: 'max',
      raw: (r) => r.strategy.macro_f1,
      scale: 100,
      digits: 2,
      definition: "Macro strategy F1: the plain mean of the 8 per-strategy F1s (sklearn f1_score average='macro', labels 0..7), in %.",
      n: kept,
    },
    {
      key: 'p_bias',
      latex: 'Bias',
      best: 'min',
      raw: (r) => r.strategy.p_bias,
      scale: 1,
      digits: 2,
      definition:
        'Preference bias: population standard deviation of the 8 Bradley–Terry strengths fitted to the mistakes (predicted i when gold was j), strengths summing to 8. Lower: a less skewed preference.',
      n: kept,
    },
    {
      key: 'error_ratio',
      latex: 'Err.',
      best: 'min',
      raw: (r) => r.strategy.error_ratio,
      scale: 100,
      digits: 2,
      definition:
        'Error ratio: turns whose prediction is null or not one of the 8 strategy names (compared lowercased), in %; they are left out of the strategy metrics.',
      n: (r) => r.records,
    },
  ];
  if (judged) {
    const label = (c: string): string => c[0]!.toUpperCase() + c.slice(1, 4) + '.';
    for (const c of JUDGE_CRITERIA) {
      cols.push({
        key: c,
        latex: label(c),
        best: 'max',
        raw: (r) => r.judge?.[c] ?? undefined,
        scale: 1,
        digits: 2,
        definition: `LLM judge: ${c} scored 0–5 per turn at temperature 0 (one call per criterion and turn), averaged over the answers that parsed.`,
        n: () => undefined,
      });
    }
    cols.push({
      key: 'judge_missing',
      latex: 'Miss.',
      best: 'none',
      raw: (r) => r.judge?.missing,
      scale: 1,
      digits: 0,
      definition: "LLM judge: answers that were not a number 0–5 (left out of the criterion's average).",
      n: () => undefined,
    });
  }
  return cols;
}

/** The number as shown (rounded), so that comparisons and deltas agree with what is printed. */
const shown = (col: Column, x: number): number => Number((x * col.scale).toFixed(col.digits));

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  _: '\\_',
  '%': '\\%',
  '&': '\\&',
  '#': '\\#',
  $: '\\$',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
/** Text safe in a LaTeX table cell (one pass, so the braces a replacement adds are not escaped again). */
export const latexEscape = (s: string): string => s.replace(/[\\_%&#${}~^]/g, (c) => LATEX_SPECIALS[c]!);

/** An RFC 4180 field: quoted (inner quotes doubled) when it holds a comma, a quote or a line break. */
export const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const markdownCell = (s: string): string => s.replace(/\|/g, '\\|');

function delta(d: number, digits: number, format: TableFormat): string {
  const text = Math.abs(d).toFixed(digits);
  const negative = d < 0 && Number(text) !== 0;
  if (format === 'latex') return `$${negative ? '-' : '+'}${text}$`;
  return `${negative ? '\u2212' : '+'}${text}`;
}

export interface TableOptions {
  /** Index in `runs` of the baseline: the other runs' values get their difference from its. */
  baseline?: number;
}

/** The best value shown in each column (undefined: no best, or fewer than two runs have the value). */
function bestShownValues(runs: readonly ResultsRun[], cols: readonly Column[]): (number | undefined)[] {
  return cols.map((c) => {
    const values = runs.map((r) => c.raw(r)).filter((x): x is number => x !== undefined);
    if (c.best === 'none' || values.length < 2) return undefined;
    const s = values.map((x) => shown(c, x));
    return c.best === 'max' ? Math.max(...s) : Math.min(...s);
  });
}

/** One cell as the comparison page draws it: the number as shown, whether it is the column's best, its delta. */
export interface TableCellView {
  /** The value as shown (rounded, scaled); undefined when the run has none. */
  text?: string;
  best: boolean;
  /** Signed difference from the baseline row, in the units shown (U+2212 for minus). */
  delta?: string;
  /** The sign of that difference relative to the column's "better" direction: up is better. */
  trend?: 'better' | 'worse' | 'same';
  /** Over how many turns the value is taken. */
  n?: number;
}

export interface TableColumnView {
  key: string;
  /** The short header (the LaTeX one: BLEU-1, Acc., Bias…). */
  label: string;
  best: Best;
  definition: string;
}

export interface TableView {
  columns: TableColumnView[];
  rows: { file: string; records: number; baseline: boolean; cells: TableCellView[] }[];
}

/** The table for a page to draw: the same columns, rounding, best marks and deltas as the text formats. */
export function resultsTableView(runs: readonly ResultsRun[], options: TableOptions = {}): TableView {
  const cols = columns(runs.some((r) => r.judge !== undefined));
  const bestShown = bestShownValues(runs, cols);
  const base = options.baseline === undefined ? undefined : runs[options.baseline];
  return {
    columns: cols.map((c) => ({ key: c.key, label: c.latex, best: c.best, definition: c.definition })),
    rows: runs.map((run) => ({
      file: run.file,
      records: run.records,
      baseline: run === base,
      cells: cols.map((col, i): TableCellView => {
        const x = col.raw(run);
        if (x === undefined) return { best: false };
        const value = shown(col, x);
        const cell: TableCellView = { text: value.toFixed(col.digits), best: value === bestShown[i], n: col.n(run) };
        const b = base === undefined || base === run ? undefined : col.raw(base);
        if (b !== undefined) {
          const d = value - shown(col, b);
          cell.delta = delta(d, col.digits, 'markdown');
          const zero = Number(Math.abs(d).toFixed(col.digits)) === 0;
          cell.trend = zero || col.best === 'none' ? 'same' : d > 0 === (col.best === 'max') ? 'better' : 'worse';
        }
        return cell;
      }),
    })),
  };
}

/** The table as lines (no trailing newline). */
export function renderResultsTable(runs: readonly ResultsRun[], format: TableFormat, options: TableOptions = {}): string[] {
  const cols = columns(runs.some((r) => r.judge !== undefined));
  if (format === 'csv') {
    const header = ['file', 'records', ...cols.map((c) => c.key)];
    const rows = runs.map((r) => [r.file, String(r.records), ...cols.map((c) => String(c.raw(r) ?? ''))]);
    return [header, ...rows].map((row) => row.map(csvField).join(','));
  }
  const base = options.baseline === undefined ? undefined : runs[options.baseline];
  const bestShown = bestShownValues(runs, cols);
  const cell = (run: ResultsRun, col: Column, i: number): string => {
    const x = col.raw(run);
    if (x === undefined) return format === 'latex' ? '--' : '—';
    const value = shown(col, x);
    let text = value.toFixed(col.digits);
    if (value === bestShown[i]) text = format === 'latex' ? `\\textbf{${text}}` : format === 'markdown' ? `**${text}**` : text;
    const b = base === undefined || base === run ? undefined : col.raw(base);
    if (b !== undefined) {
      const d = delta(value - shown(col, b), col.digits, format);
      text += format === 'latex' ? ` {\\scriptsize ${d}}` : ` (${d})`;
    }
    return text;
  };
  const rows = runs.map((r) => cols.map((c, i) => cell(r, c, i)));
  if (format === 'latex') {
    return [
      '% needs \\usepackage{booktabs}',
      `\\begin{tabular}{l${'r'.repeat(cols.length)}}`,
      '\\toprule',
      `Run & ${cols.map((c) => c.latex).join(' & ')} \\\\`,
      '\\midrule',
      ...runs.map((r, k) => `${latexEscape(r.file)} & ${rows[k]!.join(' & ')} \\\\`),
      '\\bottomrule',
      '\\end{tabular}',
    ];
  }
  const header = ['file', 'records', ...cols.map((c) => c.key)];
  const full = runs.map((r, k) => [r.file, String(r.records), ...rows[k]!]);
  if (format === 'markdown') {
    const line = (row: string[]): string => `| ${row.map(markdownCell).join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...full.map(line)];
  }
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((r) => r[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...full.map(line)];
}
