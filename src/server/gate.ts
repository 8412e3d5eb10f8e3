/**
 * Who may come in: with a token, only a request that has it (compared in constant time, by
 * digest, so neither its bytes nor its length leak through timing); a browser's page only
 * from the server's own origin or an allowed one (any page the merchant visits could
 * otherwise read the live segments or POST orders: a form's text/plain POST needs no
 * preflight); and, bound to loopback, only a request addressed to a loopback name (a DNS
 * rebinding page has the attacker's name in Host).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface GateOptions {
  host: string;
  token?: string;
  allowOrigins?: string[];
  allowHosts?: string[];
}

const digestOf = (s: string): Buffer => createHash('sha256').update(s).digest();

export class Gate {
  private readonly token: Buffer | null;
  private readonly loopback: boolean;
  private readonly origins: Set<string>;
  private readonly hosts: Set<string>;

  constructor(o: GateOptions) {
    this.token = o.token === undefined ? null : digestOf(o.token);
    this.loopback = isLoopback(o.host);
    this.origins = new Set(o.allowOrigins ?? []);
    this.hosts = new Set((o.allowHosts ?? []).map((h) => h.toLowerCase()));
  }

  authorized(req: IncomingMessage): boolean {
    if (this.token === null) return true;
    const given = tokenOf(req);
    return given !== null && timingSafeEqual(digestOf(given), this.token);
  }

  /** Null when the request may be served, else why not (403). */
  refusal(req: IncomingMessage): string | null {
    const host = req.headers.host ?? '';
    const name = hostnameOf(host).toLowerCase();
    if (this.loopback && !isLoopback(name) && !this.hosts.has(name)) {
      return (
        `this server listens on loopback and answers to localhost names only,` +
        ` not "${host}" (a page reaching it by another name may be a DNS rebinding attack; behind a reverse proxy,` +
        ` rfm serve --allow-host ${name || 'NAME'}; --host ADDR to serve a network)`
      );
    }
    return null;
  }

  /** Null when a page of the request's origin may use the socket or /ingest, else why not (403). */
  originRefusal(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    // not a browser's page (curl, a script): the token, if any, is what guards it
    if (origin === undefined || this.origins.has('*') || this.origins.has(origin)) return null;
    let same = false;
    try {
      same = new URL(origin).host === req.headers.host;
    } catch {
      same = false;
    }
    return same ? null : `a page of ${origin} may not use this server; rfm serve --allow-origin ${origin} lets it`;
  }
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The name in a Host header, without its port. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
}
