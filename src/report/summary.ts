/** The report as a table a person reads in a terminal. */
import type { Model } from '../model/model.js';
import type { Report, Tally } from './report.js';
import { int, money } from './numbers.js';

const pct = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);

function table(title: string, rows: [string, Tally][], total: Report, notes: Record<string, string> = {}): string[] {
  const w = Math.max(title.length, ...rows.map(([n]) => n.length));
  const lines = [
    `${title.padEnd(w)}  ${'customers'.padStart(11)}  ${'share'.padStart(7)}  ${'revenue'.padStart(16)}  ` +
      `${'share'.padStart(7)}`,
  ];
  for (const [name, t] of rows) {
    const note = notes[name] ? `  ${notes[name]}` : '';
    lines.push(
      `${name.padEnd(w)}  ${int(t.customers).padStart(11)}  ${pct(t.customers, total.customers).padStart(7)}  ` +
        `${money(t.revenue).padStart(16)}  ${pct(t.revenue, total.revenue).padStart(7)}${note}`,
    );
  }
  return lines;
}

export function summaryTable(r: Report, model: Model): string {
  const meaning: Record<string, string> = {};
  for (const s of model.file.segments) if (s.meaning) meaning[s.name] = s.meaning;
  const out: string[] = [
    `rfmstream report as of ${r.asOf} (${r.mode} ranks, model: ${model.name})`,
    `customers ${int(r.customers)}   orders ${int(r.orders)}   revenue ${money(r.revenue)}${
      r.currency ? ` ` + `${r.currency}` : ''
    }   rejected rows ${int(r.rejected)}`,
    '',
    ...table('segment', Object.entries(r.segments), r, meaning),
    '',
    ...table('group', Object.entries(r.groups), r),
    '',
    ...table('retention', Object.entries(r.retention), r),
    '',
    'audience                  customers',
    ...Object.entries(r.audiences).map(([n, a]) => `${n.padEnd(24)}  ${int(a.customers).padStart(9)}`),
    '',
    `revenue concentration: top 1 % of customers ${pct(r.concentration.top1, 1)},` +
      ` top 10 % ${pct(r.concentration.top10, 1)}, ` +
      `top 20 % ${pct(r.concentration.top20, 1)} of revenue; Gini ${r.concentration.gini.toFixed(3)}`,
  ];
  return out.join('\n') + '\n';
}
