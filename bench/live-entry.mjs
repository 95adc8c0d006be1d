// Benchmark-only Worker entry for bench:live (never deployed): the app's own entry, plus
// `GET /__bench/ws-worker`, a WebSocket accepted by the Worker itself (no Durable Object, not
// hibernatable) — the control that tells what one socket costs the runtime before any object
// holds it.
import app from '../src/index.ts';

export { OfferRoom, CreatorCalendar, CallRoom, SocketQuota } from '../src/index.ts';

export default {
  ...app,
  async fetch(request, env, ctx) {
    if (
      new URL(request.url).pathname === '/__bench/ws-worker' &&
      request.headers.get('upgrade')?.toLowerCase() === 'websocket'
    ) {
      const [client, server] = Object.values(new WebSocketPair());
      server.accept();
      server.send(JSON.stringify({ type: 'hello' }));
      return new Response(null, { status: 101, webSocket: client });
    }
    return app.fetch(request, env, ctx);
  },
};
