/**
 * The default model (models/default.json, DESIGN.md) as one SQL query, for ClickHouse and
 * DuckDB: what "write it in SQL" takes and costs. Exact mode: scores by mid-rank from all
 * customers' values, the medians the mean of the two middle values, as `rfm replay --exact`.
 *
 * It mirrors the kernel's arithmetic where the result depends on it: spend is summed in
 * whole cents (round(amount * 100) per event, as assembly/ingest.ts), AOV is spend / orders
 * in doubles, a score is 1 + min(4, floor(5 (2 below + equal) / 2N)) in integers
 * (src/domain/ranks.ts), a cadence is even when n Σg² − (Σg)² <= 0.75² (Σg)², with no
 * division. Events: an order (kind null or "order", amount >= 0), a refund (kind "refund",
 * or an order with a negative amount), anything else ignored: the bench's files and CDNOW
 * have no visits or email opens, so the engagement fields are 0 here.
 *
 * Each common table expression is read once: ClickHouse inlines a CTE wherever it is named,
 * so a second reference would read the file and aggregate it again.
 */
export type Dialect = 'duckdb' | 'clickhouse';

interface DialectParts {
  /** Integer division of two whole numbers. */
  idiv(a: string, b: string): string;
  /** The lower and upper middle values of x over the rows where cond holds, as a window over all rows. */
  lowMiddle(x: string, cond: string): string;
  highMiddle(x: string, cond: string): string;
}

const DIALECTS: Record<Dialect, DialectParts> = {
  duckdb: {
    idiv: (a, b) => `((${a}) // (${b}))`,
    // quantile_disc at 0.5 is the lower middle; of the negated values, minus the upper one
    lowMiddle: (x, cond) => `quantile_disc(${x}, 0.5) FILTER (WHERE ${cond}) OVER ()`,
    highMiddle: (x, cond) => `-quantile_disc(-(${x}), 0.5) FILTER (WHERE ${cond}) OVER ()`,
  },
  clickhouse: {
    idiv: (a, b) => `intDiv(${a}, ${b})`,
    lowMiddle: (x, cond) => `quantileExactLowIf(0.5)(${x}, ${cond}) OVER ()`,
    highMiddle: (x, cond) => `quantileExactHighIf(0.5)(${x}, ${cond}) OVER ()`,
  },
};

/** A source of events for the query: a SELECT giving customer_id, t (ms since 1970, integer), amount, kind. */
export function fileSource(dialect: Dialect, format: 'arrow' | 'csv', path: string): string {
  const p = path.replace(/'/g, "''");
  if (dialect === 'clickhouse') {
    const from =
      format === 'arrow'
        ? `file('${p}', 'Arrow')`
        : `file('${p}', 'CSVWithNames', 'customer_id Int64, ts DateTime64(3, ''UTC''), amount Float64')`;
    const kind = format === 'arrow' ? 'kind' : `CAST(NULL, 'Nullable(String)')`;
    return `SELECT customer_id, toUnixTimestamp64Milli(ts) AS t, amount, ${kind} AS kind FROM ${from}`;
  }
  if (format === 'arrow') throw new Error('DuckDB cannot read Arrow IPC files here (its extension is not installed)');
  return (
    `SELECT customer_id, epoch_ms(ts) AS t, amount, CAST(NULL AS VARCHAR) AS kind FROM read_csv('${p}', ` +
    `header = true, columns = {'customer_id': 'BIGINT', 'ts': 'TIMESTAMPTZ', 'amount': 'DOUBLE'})`
  );
}

/** The score of column x among customers with an order (the rows of the step it is used in). */
function scoreParts(x: string, name: string): string {
  return `rank() OVER (ORDER BY ${x}) - 1 AS ${name}_below, count(*) OVER (PARTITION BY ${x}) AS ${name}_equal`;
}

/**
 * Per customer: customer_id, r, f, m, aov (scores), retention (0 Active .. 3 Lost), segment,
 * spend, and an audience flag each (vip, repeat, churn_risk, winback). `source` gives the events.
 */
export function customersQuery(dialect: Dialect, source: string): string {
  const d = DIALECTS[dialect];
  const score = (name: string): string =>
    `1 + least(4, ${d.idiv(`5 * (2 * ${name}_below + ${name}_equal)`, '2 * n_customers')})`;
  return `WITH
ev AS (
  SELECT customer_id AS c, t, floor(t / 86400000) AS day,
    CASE WHEN (kind IS NULL OR kind = 'order') AND amount >= 0 THEN 1 ELSE 0 END AS is_order,
    CASE WHEN (kind IS NULL OR kind = 'order') AND amount >= 0 THEN round(amount * 100)
      WHEN kind IS NULL OR kind IN ('order', 'refund') THEN -round(abs(amount) * 100) ELSE 0 END AS cents
  FROM (${source})
),
cd AS (
  SELECT c, day, sum(is_order) AS n, sum(cents) AS cents,
    min(CASE WHEN is_order = 1 THEN t END) AS t0, max(CASE WHEN is_order = 1 THEN t END) AS t1, max(t) AS tmax
  FROM ev GROUP BY c, day
),
cg AS (
  SELECT c, day, n, cents, t0, t1, tmax,
    day - lag(day) OVER (PARTITION BY c, n > 0 ORDER BY day) AS gap,
    row_number() OVER (PARTITION BY c, n > 0 ORDER BY day) AS k
  FROM cd
),
cu AS (
  SELECT c, sum(n) AS orders, sum(cents) AS cents, sum(CASE WHEN n > 0 THEN 1 ELSE 0 END) AS pd,
    min(t0) AS first_ts, max(t1) AS last_ts,
    min(CASE WHEN n > 0 THEN day END) AS first_day, max(CASE WHEN n > 0 THEN day END) AS last_day,
    sum(CASE WHEN n > 0 AND k > 1 THEN gap * gap ELSE 0 END) AS gap_sq, max(tmax) AS tmax
  FROM cg GROUP BY c
),
wm AS (SELECT *, max(tmax) OVER () AS as_of FROM cu),
vals AS (
  SELECT c, orders, pd, cents / 100.0 AS spend, (cents / 100.0) / orders AS aov_value, last_ts, as_of,
    last_day - first_day AS span, gap_sq,
    CASE WHEN pd >= 2 THEN (last_day - first_day) / (pd - 1) END AS mean_gap
  FROM wm WHERE orders > 0
),
ranked AS (
  SELECT *, count(*) OVER () AS n_customers,
    ${scoreParts('last_ts', 'r')}, ${scoreParts('orders', 'f')},
    ${scoreParts('spend', 'm')}, ${scoreParts('aov_value', 'a')},
    ${d.lowMiddle('mean_gap', 'pd >= 2')} AS gap_lo, ${d.highMiddle('mean_gap', 'pd >= 2')} AS gap_hi,
    ${d.lowMiddle('spend', 'orders > 0')} AS spend_lo, ${d.highMiddle('spend', 'orders > 0')} AS spend_hi
  FROM vals
),
scored AS (
  SELECT c, orders, pd, spend, span, gap_sq,
    ${score('r')} AS r, ${score('f')} AS f, ${score('m')} AS m, ${score('a')} AS aov,
    ((as_of - last_ts) / 86400000.0) / (CASE WHEN pd >= 2 THEN mean_gap
      WHEN gap_lo IS NULL THEN 30 ELSE (gap_lo + gap_hi) / 2 END) AS ratio,
    (spend_lo + spend_hi) / 2 AS median_spend
  FROM ranked
),
classed AS (
  SELECT *, CASE WHEN ratio <= 1 THEN 0 WHEN ratio <= 2 THEN 1 WHEN ratio <= 4 THEN 2 ELSE 3 END AS retention
  FROM scored
),
ruled AS (
  SELECT *,
    CASE WHEN (CASE WHEN retention = 3 THEN 5 ELSE r END) >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
      WHEN aov = 5 AND orders >= 2 THEN 'Big Spenders'
      WHEN pd >= 3 AND (pd - 1) * gap_sq - span * span <= 0.5625 * span * span THEN 'Loyalists'
      WHEN aov <= 2 AND f <= 2 THEN 'Low Value'
      WHEN orders >= 2 THEN 'Promising'
      ELSE 'New Customers' END AS rule
  FROM classed
)
SELECT c AS customer_id, r, f, m, aov, retention,
  CASE WHEN retention = 3 AND rule IN ('Champions', 'Big Spenders', 'Loyalists') THEN 'Lost Core'
    WHEN retention = 3 AND rule IN ('Promising', 'New Customers') THEN 'Lost Potential Core'
    ELSE rule END AS segment,
  spend,
  CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 1 ELSE 0 END AS vip,
  CASE WHEN orders >= 2 AND retention <> 3 AND spend > 0 THEN 1 ELSE 0 END AS repeat_purchaser,
  CASE WHEN retention = 2 AND spend > 0 THEN 1 ELSE 0 END AS churn_risk,
  CASE WHEN retention = 3 AND spend >= median_spend AND spend > 0 THEN 1 ELSE 0 END AS winback
FROM ruled`;
}

/** The whole job's answer, as the report's tables: per segment customers and revenue, and each audience's size. */
export function segmentsQuery(dialect: Dialect, source: string): string {
  return `SELECT segment, count(*) AS customers, sum(spend) AS revenue, sum(vip) AS vip,
  sum(repeat_purchaser) AS repeat_purchasers, sum(churn_risk) AS churn_risks, sum(winback) AS winback
FROM (${customersQuery(dialect, source)}) GROUP BY segment ORDER BY segment`;
}
