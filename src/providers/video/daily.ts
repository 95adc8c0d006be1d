/**
 * Daily adapter (when DAILY_API_KEY is set): one private room per confirmed booking (2 people,
 * open around the call, everyone ejected at expiry) and short-lived meeting tokens that expire, and
 * eject their holder, at the booked end. 429 answers
 * are retried after Retry-After. DAILY_API_BASE points it at another host (tests: a local fake).
 */
import type { ProviderPresence, VideoPort, VideoRoom } from './port';

interface DailyMeeting {
  id: string;
  room: string;
  start_time: number;
  duration: number;
  ongoing: boolean;
  participants: {
    user_id: string | null;
    participant_id: string;
    user_name?: string;
    join_time: number;
    duration: number;
  }[];
}

export interface DailyConfig {
  apiKey: string;
  apiBase?: string;
  /** The `hmac` of the Daily webhook: without it, the webhook endpoint is off. */
  webhookSecret?: string;
}

export class DailyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'DailyError';
  }
}

export const dailyRoomName = (bookingId: string) => `cas-${bookingId.replace(/_/g, '-')}`;
const sec = (d: Date) => Math.floor(d.getTime() / 1000);

export function dailyVideo(
  cfg: DailyConfig,
  opts: { sleep?: (ms: number) => Promise<void>; maxRetries?: number } = {},
): VideoPort {
  const base = `${(cfg.apiBase ?? 'https://api.daily.co').replace(/\/$/, '')}/v1`;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxRetries ?? 3;

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${cfg.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (res.status === 429 && attempt < maxRetries) {
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await sleep(Math.min(10_000, (Number.isFinite(wait) ? wait : 1) * 1000 * (attempt + 1)));
        continue;
      }
      const data = (await res.json().catch(() => ({}))) as T;
      return { status: res.status, data };
    }
  }

  const secret = cfg.webhookSecret;
  return {
    name: 'daily',
    webhook: secret
      ? { verify: ({ timestamp, body, signature }) => verifyDailySignature(secret, timestamp, body, signature) }
      : null,
    async ensureRoom({ bookingId, notBefore, expiresAt }) {
      const name = dailyRoomName(bookingId);
      const created = await call<{ name: string; url: string; error?: string; info?: string }>('POST', '/rooms', {
        name,
        privacy: 'private',
        properties: {
          nbf: sec(notBefore),
          exp: sec(expiresAt),
          eject_at_room_exp: true,
          max_participants: 2,
          enable_prejoin_ui: false,
          enable_chat: false,
        },
      });
      if (created.status === 200)
        return { provider: 'daily', name: created.data.name, url: created.data.url } satisfies VideoRoom;
      // Already created (a second join, a retry): read it back.
      const existing = await call<{ name: string; url: string }>('GET', `/rooms/${name}`);
      if (existing.status === 200) return { provider: 'daily', name: existing.data.name, url: existing.data.url };
      throw new DailyError(
        `Daily room ${name}: ${created.status} ${created.data.info ?? created.data.error ?? ''}`.trim(),
        created.status,
      );
    },
    async joinToken(input) {
      // The token expires at the booked end and Daily ejects its holder then: a background tab or a
      // modified page cannot stay past the end. (The room itself stays open for the grace period.)
      const r = await call<{ token: string; error?: string; info?: string }>('POST', '/meeting-tokens', {
        properties: {
          room_name: input.room.name,
          is_owner: input.isOwner,
          user_name: input.userName,
          user_id: input.userId,
          nbf: sec(input.notBefore),
          exp: sec(input.callEndsAt),
          eject_at_token_exp: true,
        },
      });
      if (r.status !== 200 || !r.data.token)
        throw new DailyError(`Daily token: ${r.status} ${r.data.info ?? r.data.error ?? ''}`.trim(), r.status);
      return r.data.token;
    },
    async deleteRoom(room) {
      const r = await call<{ deleted?: boolean; error?: string }>('DELETE', `/rooms/${room.name}`);
      if (r.status !== 200 && r.status !== 404)
        throw new DailyError(`Daily delete ${room.name}: ${r.status}`, r.status);
    },
    async attendance(room) {
      const r = await call<{ data?: DailyMeeting[]; error?: string; info?: string }>(
        'GET',
        `/meetings?room=${encodeURIComponent(room.name)}&limit=100`,
      );
      if (r.status !== 200)
        throw new DailyError(
          `Daily meetings of ${room.name}: ${r.status} ${r.data.info ?? r.data.error ?? ''}`.trim(),
          r.status,
        );
      return (r.data.data ?? []).flatMap((m) =>
        m.participants.map(
          (p): ProviderPresence => ({
            sessionId: p.participant_id,
            userId: p.user_id ?? null,
            joinedAt: new Date(p.join_time * 1000),
            leftAt: m.ongoing ? null : new Date((p.join_time + p.duration) * 1000),
          }),
        ),
      );
    },
  };
}

/**
 * What the call page's Content-Security-Policy must allow for daily-js in call-object mode with
 * `dailyConfig.avoidEval` (Daily's CSP guide, and daily-js's README: with avoidEval the call bundle
 * is loaded by a <script> from https://c.daily.co, so `script-src` needs https://*.daily.co instead of
 * 'unsafe-eval'): scripts from Daily's CDN and blob: (its audio worklets), API and signalling
 * connections to Daily's domains (wss://*.wss.daily.co for the call's websocket, *.pluot.blue for
 * its media servers), and blob: workers. Call-object mode embeds no Daily iframe.
 */
export const DAILY_CSP = {
  script: ['https://*.daily.co', 'blob:'],
  connect: ['https://*.daily.co', 'https://*.pluot.blue', 'wss://*.wss.daily.co'],
  worker: ['blob:'],
} as const;

/** Headers Daily signs its webhooks with (the secret is the webhook's base64 `hmac`). */
export const DAILY_SIGNATURE_HEADER = 'x-webhook-signature';
export const DAILY_TIMESTAMP_HEADER = 'x-webhook-timestamp';

/** Daily webhook signature: base64 HMAC-SHA256 of `${timestamp}.${body}` keyed by the base64-decoded secret. */
export async function verifyDailySignature(
  secretB64: string,
  timestamp: string,
  body: string,
  signature: string,
): Promise<boolean> {
  try {
    const raw = Uint8Array.from(atob(secretB64), (ch) => ch.charCodeAt(0));
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const sig = Uint8Array.from(atob(signature), (ch) => ch.charCodeAt(0));
    return await crypto.subtle.verify('HMAC', key, sig, new TextEncoder().encode(`${timestamp}.${body}`));
  } catch {
    return false;
  }
}
