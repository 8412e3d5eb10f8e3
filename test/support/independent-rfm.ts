/**
 * A straightforward, sort-based RFM computation written apart from src/, following
 * DESIGN.md word for word, to check the engine against. Slow and obvious on purpose.
 */
export interface Order {
  customer: string;
  day: number;
  amount: number;
}

export interface Expected {
  orders: number;
  purchaseDays: number;
  spend: number;
  r: number;
  f: number;
  m: number;
  aov: number;
  retention: string;
  segment: string;
  audiences: string[];
}

/** score = min(5, 1 + floor(5 p)), p = (below + equal / 2) / N, in integers. */
function scorer(values: number[]): (v: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  /** The first index whose value is not before v (strictly: not at or before v). */
  const bound = (v: number, strict: boolean): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v || (strict && sorted[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (v) => {
    const below = bound(v, false);
    // by search too: half of CDNOW's customers share F = 1, and a walk over the ties was most
    // of the migration test's time
    const equal = bound(v, true) - below;
    return Math.min(5, 1 + Math.floor((5 * (2 * below + equal)) / (2 * n)));
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const CORE = ['Champions', 'Big Spenders', 'Loyalists'];
const POTENTIAL = ['Promising', 'New Customers'];

/** Orders must be in per-customer time order (as in CDNOW). asOfDay: days since epoch. */
export function independentRfm(orders: Order[], asOfDay: number): Map<string, Expected> {
  const by = new Map<string, Order[]>();
  for (const o of orders) {
    let list = by.get(o.customer);
    if (!list) by.set(o.customer, (list = []));
    list.push(o);
  }
  const rows = [...by.entries()].map(([id, list]) => {
    // in whole cents, as DESIGN.md keeps spend: a sum of floats makes customers of equal spend
    // unequal (52.870000000000005 against 52.87) and splits their tie in the ranks
    const spend = list.reduce((s, o) => s + Math.round(o.amount * 100), 0) / 100;
    const days = [...new Set(list.map((o) => o.day))].sort((a, b) => a - b);
    const gaps = days.slice(1).map((d, i) => d - days[i]);
    return { id, orders: list.length, spend, last: days[days.length - 1], days, gaps, aovValue: spend / list.length };
  });
  const rScore = scorer(rows.map((c) => c.last));
  const fScore = scorer(rows.map((c) => c.orders));
  const mScore = scorer(rows.map((c) => c.spend));
  const aScore = scorer(rows.map((c) => c.aovValue));
  const meanGaps = rows.filter((c) => c.gaps.length > 0).map((c) => c.gaps.reduce((a, b) => a + b, 0) / c.gaps.length);
  const storeGap = meanGaps.length ? median(meanGaps) : 30;
  const medianSpend = median(rows.map((c) => c.spend));
  const out = new Map<string, Expected>();
  for (const c of rows) {
    const r = rScore(c.last);
    const f = fScore(c.orders);
    const m = mScore(c.spend);
    const aov = aScore(c.aovValue);
    const g = c.gaps.length ? c.gaps.reduce((a, b) => a + b, 0) / c.gaps.length : storeGap;
    const ratio = (asOfDay - c.last) / g;
    const retention = ratio <= 1 ? 'Active' : ratio <= 2 ? 'Drifting' : ratio <= 4 ? 'Churn-risk' : 'Lost';
    const sum = c.gaps.reduce((a, b) => a + b, 0);
    const sumSq = c.gaps.reduce((a, b) => a + b * b, 0);
    const rules = (rr: number): string => {
      if (rr >= 4 && f >= 4 && m >= 4) return 'Champions';
      if (aov === 5 && c.orders >= 2) return 'Big Spenders';
      if (c.days.length >= 3 && c.gaps.length * sumSq - sum * sum <= 0.75 * 0.75 * sum * sum) return 'Loyalists';
      if (aov <= 2 && f <= 2) return 'Low Value';
      if (c.orders >= 2) return 'Promising';
      return 'New Customers';
    };
    let segment: string;
    if (retention === 'Lost') {
      const s = rules(5);
      segment = CORE.includes(s) ? 'Lost Core' : POTENTIAL.includes(s) ? 'Lost Potential Core' : s;
    } else segment = rules(r);
    const audiences: string[] = [];
    if (r >= 4 && f >= 4 && m >= 4) audiences.push('VIP Customers');
    // the audiences that invite a purchase leave out customers with no net purchase
    if (c.orders >= 2 && retention !== 'Lost' && c.spend > 0) audiences.push('Repeat Purchasers');
    if (retention === 'Churn-risk' && c.spend > 0) audiences.push('Churn Risks');
    if (retention === 'Lost' && c.spend >= medianSpend && c.spend > 0) audiences.push('Winback Opportunities');
    out.set(c.id, {
      orders: c.orders,
      purchaseDays: c.days.length,
      spend: c.spend,
      r,
      f,
      m,
      aov,
      retention,
      segment,
      audiences,
    });
  }
  return out;
}
