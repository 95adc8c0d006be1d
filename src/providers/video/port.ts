/**
 * Video port: a private room per confirmed booking and short-lived credentials per participant.
 * Daily when DAILY_API_KEY is set; otherwise the built-in peer-to-peer call (WebRTC signalled
 * through the booking's CallRoom Durable Object).
 */
export interface VideoRoom {
  provider: 'daily' | 'p2p';
  name: string;
  /** Daily's room URL; null for the built-in call (the page connects to its CallRoom). */
  url: string | null;
}

export interface JoinInput {
  room: VideoRoom;
  bookingId: string;
  userId: string;
  userName: string;
  /** The creator owns the room (Daily: owner privileges). */
  isOwner: boolean;
  /** Credentials are valid only inside the call's access window. */
  notBefore: Date;
  expiresAt: Date;
  /** The booked end of the call: the built-in call ends everyone's connection then. */
  callEndsAt: Date;
}

/** One presence of one participant in a provider's meeting records (Daily's /meetings). */
export interface ProviderPresence {
  /** The provider's session id: the same presence reported by a webhook and by the records is kept once. */
  sessionId: string;
  /** Our user id (set on the meeting token). */
  userId: string | null;
  joinedAt: Date;
  leftAt: Date | null;
}

export interface VideoPort {
  readonly name: 'daily' | 'p2p';
  /** Creates the booking's room if needed (idempotent), open from `notBefore` to `expiresAt`. */
  ensureRoom(input: { bookingId: string; notBefore: Date; expiresAt: Date }): Promise<VideoRoom>;
  /** A short-lived token letting one participant in. */
  joinToken(input: JoinInput): Promise<string>;
  /** Deletes the room (after the call, or when the booking is cancelled). Idempotent. */
  deleteRoom(room: VideoRoom): Promise<void>;
  /**
   * Who was in the room and when, from the provider's own records (null: the provider keeps none;
   * the built-in call's presence is recorded by its CallRoom as it happens).
   */
  attendance(room: VideoRoom): Promise<ProviderPresence[] | null>;
  /**
   * Checks the signature of one of the provider's webhooks (null: it sends none, or its secret is not
   * configured — the endpoint then answers 404).
   */
  readonly webhook: { verify(input: { timestamp: string; body: string; signature: string }): Promise<boolean> } | null;
}

/** One STUN or TURN entry of the built-in call (TURN with its credentials). */
export interface IceServerT {
  urls: string[];
  username?: string;
  credential?: string;
}

/** STUN/TURN for the built-in call: static servers, or TURN credentials minted per join. */
export interface IcePort {
  /** The servers one participant uses; credentials (if any) last at least until `until`. */
  serversFor(input: { now: Date; until: Date }): Promise<IceServerT[]>;
}
