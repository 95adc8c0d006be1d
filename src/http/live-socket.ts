/** Forwarding a WebSocket upgrade to the Durable Object that keeps the socket. */
import { SOCKET_IP_HEADER, SOCKET_REFUSAL_HEADER } from '../durable/socket-hub';
import type { Ctx } from './context';
import { clientIp } from './middleware';
import { AppError } from './errors';
import { isRefusalCode, refusal } from './refusals';

/**
 * Hands the upgrade to `stub` at `url`, telling the object the client's address (it caps sockets
 * per address: a client cannot choose this header, it is set here from cf-connecting-ip); the
 * object's cap refusal becomes the app's error (429 TOO_MANY_SOCKETS).
 */
export async function upgradeTo(
  c: Ctx,
  stub: { fetch(request: Request): Promise<Response> },
  url: string,
): Promise<Response> {
  const request = new Request(url, c.req.raw);
  request.headers.set(SOCKET_IP_HEADER, clientIp(c.req.raw));
  const res = await stub.fetch(request);
  const refused = res.status !== 101 ? res.headers.get(SOCKET_REFUSAL_HEADER) : null;
  // The header crosses a fetch, so its value is checked; an unknown one answers as the table's fallback did.
  if (refused) throw isRefusalCode(refused) ? refusal(refused) : new AppError(409, refused, 'Conflict.');
  return res;
}
