/**
 * Nobody in who does not belong, tried from a real browser: a page of another origin can
 * neither read the live segments over the socket nor POST orders (an Arrow body sent as
 * text/plain, which needs no preflight), unless --allow-origin names it; a page reached by
 * another name (DNS rebinding: chromium told that rebind.test is 127.0.0.1) is refused.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Float64, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCli } from '../../support/cli.js';
import { LiveClient } from '../../support/live-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ORDERS = Buffer.from(
  tableToIPC(
    new Table({
      customer_id: vectorFromArray(['a@x', 'b@x'], new Utf8()),
      ts: vectorFromArray([Date.UTC(2025, 5, 1), Date.UTC(2025, 5, 2)], new TimestampMillisecond()),
      amount: vectorFromArray([10, 20], new Float64()),
    }),
    'stream',
  ),
).toString('base64');

/** What a stranger's page tries against the server at `target` (host:port). */
const strangerPage = (target: string): string =>
  `<!doctype html><script>
window.result = (async () => {
  const socket = await new Promise((done) => {
    const ws = new WebSocket('ws://${target}/live');
    ws.onmessage = (e) => { done('read: ' + e.data.slice(0, 40)); ws.close(); };
    ws.onerror = () => done('refused');
  });
  const bytes = Uint8Array.from(atob('${ORDERS}'), (c) => c.charCodeAt(0));
  let post;
  try {
    const r = await fetch('http://${target}/ingest', { method: 'POST', mode: 'no-cors',` +
  ` headers: { 'content-type': 'text/plain' }, body: bytes });
    post = 'sent ' + r.type;
  } catch (e) { post = 'failed'; }
  // a CSV with a token header: the browser asks first (a preflight), then reads the answer
  let cors;
  try {
    const r = await fetch('http://${target}/ingest', { method: 'POST', headers: { 'content-type': 'text/csv',` +
  ` authorization: 'Bearer none' }, body: 'customer_id,ts,amount\\nc@x,2025-06-03T00:00:00Z,30\\n' });
    cors = 'read ' + r.status + ' ' + JSON.stringify(await r.json());
  } catch (e) { cors = 'failed'; }
  return { socket, post, cors };
})();
</script>`;

let stranger: Server;
let strangerUrl: string;
let browser: Browser;
let target = '';
beforeAll(async () => {
  stranger = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(strangerPage(target));
  });
  await new Promise<void>((r) => stranger.listen(0, '127.0.0.1', () => r()));
  strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  stranger?.close();
});

/** The server's order count, asked over a socket from outside a browser (no Origin). */
/** The orders of the first snapshot that has at least `least` (a snapshot follows the orders taken by an interval). */
async function ordersAt(url: string, least = 0): Promise<number> {
  const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
  const s = await client.snapshotWhere((m) => m.orders >= least);
  client.close();
  return s.orders;
}

/** One order POSTed by the test itself (no Origin: not a page), answered 200. */
async function ownOrder(url: string): Promise<void> {
  const r = await fetch(url + 'ingest', {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: 'customer_id,ts,amount\nown@x,2025-06-04T00:00:00Z,5\n',
  });
  expect(r.status).toBe(200);
}

async function strangerTries(serverUrl: string): Promise<{ socket: string; post: string; cors: string }> {
  target = new URL(serverUrl).host;
  const page = await browser.newPage();
  try {
    await page.goto(strangerUrl);
    return await page.evaluate(
      () => (window as unknown as { result: Promise<{ socket: string; post: string; cors: string }> }).result,
    );
  } finally {
    await page.close();
  }
}

describe('strangers kept out', () => {
  test('a page of another origin can neither read the socket nor POST orders', async () => {
    const { child, url } = await startCli(['serve', '--port', '0', '--workers', '1', '--interval', '50']);
    try {
      const tried = await strangerTries(url);
      expect(tried.socket).toBe('refused');
      // the no-cors POST goes out (the page cannot read the answer); the server must not take it
      expect(tried.post).toBe('sent opaque');
      expect(tried.cors).toBe('failed');
      // the stranger's POST was answered before the page's fetch resolved; an order of our own
      // after it is the only one the server holds
      await ownOrder(url);
      expect(await ordersAt(url, 1)).toBe(1);
      // the server's own page still works
      const own = await browser.newPage();
      await own.goto(url);
      await own.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
      await own.close();
    } finally {
      child.kill('SIGINT');
    }
  }, 60_000);

  test('--allow-origin lets that origin in', async () => {
    const { child, url } = await startCli([
      'serve',
      '--port',
      '0',
      '--workers',
      '1',
      '--interval',
      '50',
      '--allow-origin',
      strangerUrl.replace(/\/$/, ''),
    ]);
    try {
      const tried = await strangerTries(url);
      expect(tried.socket).toMatch(/^read: \{"type":"hello"/);
      // the preflight is answered for the allowed origin, and the page reads the POST's answer
      expect(tried.cors).toMatch(/^read 200 \{.*"accepted":1/);
      await ownOrder(url);
      expect(await ordersAt(url, 4)).toBe(4);
    } finally {
      child.kill('SIGINT');
    }
  }, 60_000);

  test('a page that reaches the server by another name (DNS rebinding) is refused', async () => {
    const { child, url } = await startCli(['serve', '--port', '0', '--workers', '1']);
    try {
      const port = new URL(url).port;
      const page = await browser.newPage();
      const r = await page.goto(`http://rebind.test:${port}/`);
      expect(r!.status()).toBe(403);
      expect(await page.textContent('body')).toContain('DNS rebinding');
      // the same page by its loopback name is served
      expect((await page.goto(url))!.status()).toBe(200);
      await page.close();
    } finally {
      child.kill('SIGINT');
    }
    // behind a reverse proxy the public name is allowed by name
    const proxied = await startCli(['serve', '--port', '0', '--workers', '1', '--allow-host', 'rebind.test']);
    try {
      const page = await browser.newPage();
      expect((await page.goto(`http://rebind.test:${new URL(proxied.url).port}/`))!.status()).toBe(200);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
      await page.close();
    } finally {
      proxied.child.kill('SIGINT');
    }
  }, 60_000);
});
