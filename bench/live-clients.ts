/**
 * N WebSocket clients in one process, for the live load benchmark. Usage:
 *   node live-clients.js WS_URL N
 * Prints "ready" once all are connected, then, on stdin "report", one JSON line:
 * { clients, snapshots, lagMs: { p50, p99, max }, slowestClientMeanLagMs }.
 */
import WebSocket from 'ws';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const lags: number[][] = [];
let open = 0;
for (let i = 0; i < count; i++) {
  const mine: number[] = [];
  lags.push(mine);
  const ws = new WebSocket(url);
  ws.on('open', () => {
    if (++open === count) process.stdout.write('ready\n');
  });
  ws.on('message', (data) => {
    const text = data.toString();
    if (!text.startsWith('{"type":"snapshot"')) return;
    const at = /"takenAt":(\d+)/.exec(text);
    if (at) mine.push(Date.now() - Number(at[1]));
  });
  ws.on('error', (e) => process.stderr.write(`client ${i}: ${e.message}\n`));
}
process.stdin.on('data', (d) => {
  if (!d.toString().includes('report')) return;
  const all = lags.flat().sort((a, b) => a - b);
  const q = (f: number): number => all[Math.min(all.length - 1, Math.floor(f * all.length))] ?? 0;
  const means = lags.map((l) => (l.length ? l.reduce((a, b) => a + b, 0) / l.length : 0));
  process.stdout.write(
    JSON.stringify({
      clients: count,
      snapshots: all.length,
      lagMs: { p50: q(0.5), p99: q(0.99), max: all[all.length - 1] ?? 0 },
      slowestClientMeanLagMs: Math.max(...means),
    }) + '\n',
  );
  process.exit(0);
});
