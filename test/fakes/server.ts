/**
 * Local fakes of the external HTTP APIs (Google OAuth, Stripe, Daily, Resend, Cloudflare TURN),
 * served by one Node HTTP server on a random port. Tests reach them through the same base-URL
 * settings production uses, so adapters are exercised over real HTTP.
 * `GET /__state/<fake>` returns a fake's recorded state; `POST /__reset` clears everything.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cloudflareTurnFake } from './cloudflare-turn';
import { dailyFake } from './daily';
import { googleFake } from './google';
import { resendFake } from './resend';
import { stripeFake } from './stripe';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Fake {
  /** URL prefix; the handler sees the path without it (unless `prefixes` is set: then full paths). */
  prefix: string;
  prefixes?: string[];
  handle(req: FakeRequest): FakeResponse | Promise<FakeResponse>;
  state(): unknown;
  reset(): void;
}

export async function startFakes(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const fakes: Fake[] = [googleFake(), stripeFake(), dailyFake(), resendFake(), cloudflareTurnFake()];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (r: FakeResponse) => {
      const isText = typeof r.body === 'string';
      res.writeHead(r.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...(r.headers ?? {}) });
      res.end(r.body === undefined ? '' : isText ? (r.body as string) : JSON.stringify(r.body));
    };
    try {
      if (url.pathname === '/__reset' && req.method === 'POST') {
        for (const f of fakes) f.reset();
        return send({ status: 204 });
      }
      const stateOf = url.pathname.match(/^\/__state\/(\w+)$/);
      if (stateOf) {
        const fake = fakes.find((f) => f.prefix === `/${stateOf[1]}` || (stateOf[1] === 'stripe' && f.prefixes));
        return send(fake ? { status: 200, body: fake.state() } : { status: 404, body: { error: 'no such fake' } });
      }
      const fake = fakes.find((f) => (f.prefixes ?? [f.prefix]).some((p) => url.pathname.startsWith(`${p}/`)));
      if (!fake) return send({ status: 404, body: { error: `no fake for ${url.pathname}` } });
      send(
        await fake.handle({
          method: req.method ?? 'GET',
          path: fake.prefixes ? url.pathname : url.pathname.slice(fake.prefix.length),
          query: url.searchParams,
          headers: req.headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    } catch (e) {
      send({ status: 500, body: { error: String(e) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  server.unref();
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${actualPort}`, close: () => new Promise((r) => server.close(() => r())) };
}
