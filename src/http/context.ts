/** Hono environment shared by every route: bindings plus per-request variables. */
import type { Context } from 'hono';
import type { Locale, User } from '../db/schema';
import type { Deps } from '../deps';
import type { Bindings } from '../env';

export interface AuthState {
  /** Who is asking (from the signed token; no database read). */
  userId: string;
  /** The session row id (SHA-256 of the session id in the token). */
  sessionId: string;
  via: 'cookie' | 'bearer';
  /** The account row, loaded on demand (pages, and API routes that need more than the id). */
  user: User | null;
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    deps: Deps;
    requestId: string;
    auth: AuthState | null;
    /** Page language (URL → user setting → Accept-Language → fr). */
    locale: Locale;
    /** Viewer's zone: user setting, else the `tz` cookie set by the browser, else Europe/Paris. */
    timezone: string;
    /**
     * Whether the response hands the D1 bookmark back: set when this request signs the visitor in
     * (true) or out (false); unset, it follows whether they came with a session cookie.
     */
    keepBookmark?: boolean;
    /** Unread notifications of the signed-in viewer (pages only; the header bell). */
    unread?: number;
    /** Extra CSP sources a page needs (e.g. Stripe.js on the booking page). */
    cspExtra?: {
      script?: readonly string[];
      frame?: readonly string[];
      connect?: readonly string[];
      worker?: readonly string[];
    };
  };
};

export type Ctx = Context<AppEnv>;
