/**
 * The HTTP routes, behind the gate: the dashboard, health, the report, predictions, the
 * icon, and /ingest (its CORS for an allowed page, its preflight). Every refusal goes
 * through replies.ts; every read of the state says when there is none to read (503 while a
 * lost shard is put back, with Retry-After; for good once that failed), health included.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RfmError } from '../domain/errors.js';
import { headlines } from '../report/headlines.js';
import { htmlReport } from '../report/html-report.js';
import { compiledModule } from '../package-root.js';
import { dashboardPage } from './dashboard-page.js';
import type { Gate } from './gate.js';
import type { Ingest } from './ingest.js';
import type { LiveEngine } from './live.js';
import type { LivePredictions } from './live-predictions.js';
import { RequestError, json, refuse } from './replies.js';
import { DiskError } from './request-log.js';

/** The page's icon: a bar of the four group colours. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect ' +
  'width="4" height="16" fill="#0072B2"/><rect x="4" width="4" ' +
  'height="16" fill="#56B4E9"/><rect x="8" width="4" height="16" ' +
  'fill="#E69F00"/><rect x="12" width="4" height="16" ' +
  'fill="#D55E00"/></svg>';

let script: string | null = null;
/** The dashboard's code (dashboard/client.ts), compiled: read once. */
function dashboardScript(): string {
  // without its source map's line: the map is not served
  script ??= readFileSync(compiledModule(import.meta.url, 'server/dashboard/client.js'), 'utf8').replace(
    /\n\/\/# sourceMappingURL=.*\s*$/,
    '\n',
  );
  return script;
}

const NEEDS_TOKEN = 'a token is required: ?token=T or Authorization: Bearer T';

export interface Routes {
  live: LiveEngine;
  gate: Gate;
  predictions: LivePredictions;
  ingest: Ingest;
}

/** 503 for a read while the state is being put back, or after that failed for good; true when it answered. */
function unavailable(live: LiveEngine, req: IncomingMessage, res: ServerResponse): boolean {
  if (live.brokenBy !== null) {
    refuse(req, res, 503, live.brokenBy.message);
    return true;
  }
  if (!live.restoring) return false;
  res.setHeader('retry-after', '2');
  refuse(
    req,
    res,
    503,
    'the state is being put back after a lost shard (its checkpoint and log); ask again in a moment',
  );
  return true;
}

/** The server's request handler over these parts. */
export function routes(r: Routes): (req: IncomingMessage, res: ServerResponse) => void {
  const { live, gate, predictions } = r;
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refused = gate.refusal(req) ?? (path === '/ingest' ? gate.originRefusal(req) : null);
    if (refused !== null) return refuse(req, res, 403, refused);
    const get = req.method === 'GET';
    if (get && ['/health', '/report.html', '/predictions'].includes(path) && unavailable(live, req, res)) return;
    if (get && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(dashboardPage());
    } else if (get && path === '/dashboard.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(dashboardScript());
    } else if (get && path === '/health') {
      json(res, 200, { ok: true });
    } else if (get && path === '/auth') {
      // the page asks when its socket was refused: a token missing or wrong, or the server away
      if (!gate.authorized(req)) return refuse(req, res, 401, NEEDS_TOKEN);
      json(res, 200, { ok: true });
    } else if (get && path === '/predictions') {
      if (!gate.authorized(req)) return refuse(req, res, 401, NEEDS_TOKEN);
      predictions.refit().then(
        (p) => json(res, 200, p),
        (e: unknown) => refuse(req, res, 500, (e as Error).message),
      );
    } else if (get && path === '/favicon.ico') {
      // the browser asks for one on every page: an icon, not a 404 in the console
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
      res.end(FAVICON);
    } else if (get && path === '/report.html') {
      if (!gate.authorized(req)) return refuse(req, res, 401, NEEDS_TOKEN);
      report(live, res).catch((e: unknown) => refuse(req, res, 500, (e as Error).message));
    } else if (path === '/ingest') {
      ingestRoute(r, req, res);
    } else {
      refuse(
        req,
        res,
        404,
        `nothing at ${path}; the dashboard is at /, the socket on this port, ingest at POST /ingest`,
      );
    }
  };
}

/** The merchant's report of the state now, as a download. */
async function report(live: LiveEngine, res: ServerResponse): Promise<void> {
  const { report, extras, figures } = await live.report();
  const h = headlines(report, live.engine.model, extras.lorenz);
  if (figures?.coreRetention) h.coreRetention = figures.coreRetention;
  const page = htmlReport({
    report: { ...report, headlines: h, cultivation: figures?.cultivation ?? undefined },
    model: live.engine.model,
    inputs: ['the live engine (rfm serve)'],
    prospects: extras.prospects,
  });
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-disposition': `attachment; filename="rfmstream-report-${report.asOf.slice(0, 10)}.html"`,
  });
  res.end(page);
}

function ingestRoute({ gate, ingest }: Routes, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    // an allowed page (the gate let it by) may read the answer: CORS, for its origin alone
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method === 'OPTIONS') {
    // the preflight a page sends before a POST of text/csv or with Authorization
    res.writeHead(204, {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
    });
    res.end();
    return;
  }
  if (req.method !== 'POST') refuse(req, res, 405, 'POST an Arrow IPC stream or a CSV body to /ingest');
  else if (!gate.authorized(req)) refuse(req, res, 401, NEEDS_TOKEN);
  else ingestBody(ingest, req, res);
}

function ingestBody(ingest: Ingest, req: IncomingMessage, res: ServerResponse): void {
  ingest.take(req).then(
    (answer) => json(res, 200, answer),
    (e: unknown) => {
      const message = (e as Error).message;
      if (e instanceof RequestError) return refuse(req, res, e.status, message);
      // the disk, or a lost shard being put back: the server's trouble, for a while
      if (e instanceof DiskError || (e instanceof RfmError && e.code === 'RFM_ERR_WORKER')) {
        res.setHeader('retry-after', '5');
        return refuse(req, res, 503, message);
      }
      refuse(req, res, e instanceof RfmError ? 400 : 500, message);
    },
  );
}
