/** Random order CSVs with every quoting case, line end, date format, odd value and bad row (the CSV reader tests). */
import type { DateFormat } from '../../src/sources/parse-values.js';
import { Random } from '../../src/sources/generator/random.js';

const DAY = 86_400_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A time as the format writes it, now and then in another form the scanner leaves to the plain reader. */
function timeText(t: number, format: DateFormat, rng: Random): string {
  const d = new Date(t);
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const r = rng.next();
  switch (format) {
    case 'iso':
      if (r < 0.2) return `${y}-${pad(m)}-${pad(day)}`;
      if (r < 0.4) return `${y}-${pad(m)}-${pad(day)} ${hms}`;
      if (r < 0.5) return `${y}-${pad(m)}-${pad(day)}T${hms}.${pad(d.getUTCMilliseconds(), 3)}Z`;
      if (r < 0.6) return `${y}-${pad(m)}-${pad(day)}T${hms}+02:00`;
      if (r < 0.65) return `${y}-${pad(m)}-${pad(day)}T${hms}.5-0130`;
      if (r < 0.7) return `${y}-${pad(m)}-${pad(day)}T${hms}.123456Z`;
      return d.toISOString();
    case 'epoch-ms':
      return r < 0.1 ? `${t}.75` : String(t);
    case 'epoch-s':
      return r < 0.1 ? `${t / 1000}` : String(Math.floor(t / 1000));
    case 'yyyymmdd':
      return `${y}${pad(m)}${pad(day)}`;
    case 'mm/dd/yyyy':
      return r < 0.2
        ? `${m}/${day}/${y} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
        : `${r < 0.6 ? m : pad(m)}/${day}/${y}`;
    case 'dd/mm/yyyy':
      return `${day}/${pad(m)}/${y}`;
    case 'dd.mm.yyyy':
      return `${pad(day)}.${m}.${y}`;
  }
}

function amountText(a: number, comma: boolean, rng: Random): string {
  const r = rng.next();
  const plain = a.toFixed(r < 0.3 ? 2 : r < 0.5 ? 1 : r < 0.6 ? 0 : 2);
  const text = comma ? plain.replace('.', ',') : plain;
  if (r < 0.65) return `$${text}`;
  if (r < 0.7) return a >= 1000 ? (comma ? '1.234,50' : '1,234.50') : ` ${text} `;
  if (r < 0.72) return `(${text})`;
  if (r < 0.74) return `${text} EUR`;
  if (r < 0.75) return `${a}e0`;
  return text;
}

/** A quoted field now and then: with the delimiter, a doubled quote or a line end inside. */
function field(s: string, delim: string, rng: Random): string {
  const r = rng.next();
  if (s.includes(delim) || s.includes('"') || s.includes('\n')) return `"${s.replace(/"/g, '""')}"`;
  if (r < 0.1) return `"${s}"`;
  return s;
}

export interface Shape {
  delimiter: string;
  format: DateFormat;
  comma: boolean;
  lineEnd: string;
  stringIds: boolean;
}

/** A random order CSV of this shape: good rows mostly, every kind of bad value and bad row now and then. */
export function randomCsv(shape: Shape, seed: number, rows: number): string {
  const rng = new Random(seed);
  const d = shape.delimiter;
  const out: string[] = [['customer_id', 'ts', '"amount"', 'note', 'kind'].join(d)];
  const t0 = Date.UTC(2023, 0, 1);
  for (let i = 0; i < rows; i++) {
    const c = 1 + Math.floor(rng.next() * 300);
    const t = t0 + Math.floor(rng.next() * 700 * DAY);
    const a = Math.round(rng.next() * 50_000) / 100;
    const r = rng.next();
    let id = shape.stringIds
      ? r < 0.05
        ? ` c${c}@x.com `
        : r < 0.07
          ? `josé${c}`
          : r < 0.08
            ? `a"b${c}`
            : `c${c}@x.com`
      : String(c);
    if (r > 0.97) id = '';
    let ts = timeText(t, shape.format, rng);
    if (r > 0.95 && r <= 0.96) ts = shape.format === 'iso' ? '2024-02-30' : 'soon';
    let amount = amountText(a, shape.comma, rng);
    if (r > 0.94 && r <= 0.95) amount = 'n/a';
    const kinds = ['', 'order', 'ORDER', 'refund', 'Visit', 'email_open', 'bogus', ' order '];
    const kind = kinds[Math.floor(rng.next() * kinds.length) % kinds.length];
    const note = rng.next() < 0.1 ? `line one\nline "two"${d} three` : rng.next() < 0.1 ? '' : 'ok';
    const fields = [
      field(id, d, rng),
      field(ts, d, rng),
      field(amount, d, rng),
      field(note, d, rng),
      field(kind, d, rng),
    ];
    // a field too many or too few now and then
    if (r > 0.93 && r <= 0.935) fields.push('extra');
    if (r > 0.935 && r <= 0.94) fields.pop();
    out.push(fields.join(d));
    if (rng.next() < 0.01) out.push('');
  }
  return '\ufeff' + out.join(shape.lineEnd) + (rng.next() < 0.5 ? shape.lineEnd : '');
}

export const SHAPES: Shape[] = [
  { delimiter: ',', format: 'iso', comma: false, lineEnd: '\n', stringIds: false },
  { delimiter: ',', format: 'iso', comma: false, lineEnd: '\r\n', stringIds: true },
  { delimiter: ';', format: 'dd.mm.yyyy', comma: true, lineEnd: '\r\n', stringIds: true },
  { delimiter: '\t', format: 'mm/dd/yyyy', comma: false, lineEnd: '\r', stringIds: false },
  { delimiter: ',', format: 'epoch-ms', comma: false, lineEnd: '\n', stringIds: true },
  { delimiter: '|', format: 'epoch-s', comma: false, lineEnd: '\n', stringIds: false },
  { delimiter: ',', format: 'yyyymmdd', comma: false, lineEnd: '\n', stringIds: false },
  { delimiter: ',', format: 'dd/mm/yyyy', comma: true, lineEnd: '\r\n', stringIds: false },
];
