/**
 * STUN/TURN servers for the built-in peer-to-peer call. Static servers come from ICE_SERVERS
 * (+ TURN_USERNAME/TURN_CREDENTIAL). With a Cloudflare Realtime TURN key (TURN_KEY_ID +
 * TURN_KEY_API_TOKEN), each join also mints its own short-lived TURN credentials, valid until the
 * call's access window closes: `POST {base}/v1/turn/keys/{keyId}/credentials/generate-ice-servers`
 * with `Authorization: Bearer {apiToken}` and `{ ttl }` answers `{ iceServers: [...] }`.
 */
import type { Config } from '../../env';
import type { IcePort, IceServerT } from './port';

export type { IcePort, IceServerT };

export class IceError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'IceError';
  }
}

/** Cloudflare refuses a TTL above 48 hours. */
export const MAX_TURN_TTL_S = 48 * 3600;
const MIN_TURN_TTL_S = 60;

/** Browsers refuse port 53 (DNS): Cloudflare lists it for other clients, a page must leave it out. */
const usableUrl = (u: string) => !/^(stuns?|turns?):[^?]*:53(\?|$)/i.test(u);

export function staticIce(servers: IceServerT[]): IcePort {
  return { serversFor: async () => servers };
}

/** The static servers plus credentials minted by Cloudflare Realtime TURN for this join. */
export function cloudflareTurn(key: NonNullable<Config['turnKey']>, staticServers: IceServerT[]): IcePort {
  return {
    async serversFor({ now, until }) {
      const ttl = Math.min(
        MAX_TURN_TTL_S,
        Math.max(MIN_TURN_TTL_S, Math.ceil((until.getTime() - now.getTime()) / 1000)),
      );
      const res = await fetch(
        `${key.apiBase}/v1/turn/keys/${encodeURIComponent(key.keyId)}/credentials/generate-ice-servers`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key.apiToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ttl }),
        },
      );
      if (res.status !== 201 && res.status !== 200)
        throw new IceError(`Cloudflare TURN credentials: ${res.status}`, res.status);
      const body = (await res.json().catch(() => null)) as { iceServers?: unknown } | null;
      const list = Array.isArray(body?.iceServers) ? body.iceServers : body?.iceServers ? [body.iceServers] : [];
      const minted: IceServerT[] = [];
      for (const s of list as { urls?: unknown; username?: unknown; credential?: unknown }[]) {
        const urls = (Array.isArray(s?.urls) ? s.urls : [s?.urls]).filter(
          (u): u is string => typeof u === 'string' && usableUrl(u),
        );
        if (!urls.length) continue;
        minted.push(
          typeof s.username === 'string' && typeof s.credential === 'string'
            ? { urls, username: s.username, credential: s.credential }
            : { urls },
        );
      }
      if (!minted.some((s) => s.username))
        throw new IceError('Cloudflare TURN answered without credentials', res.status);
      return [...staticServers, ...minted];
    },
  };
}
