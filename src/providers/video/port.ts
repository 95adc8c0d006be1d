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
}

export interface VideoPort {
  readonly name: 'daily' | 'p2p';
  /** Creates the booking's room if needed (idempotent), open from `notBefore` to `expiresAt`. */
  ensureRoom(input: { bookingId: string; notBefore: Date; expiresAt: Date }): Promise<VideoRoom>;
  /** A short-lived token letting one participant in. */
  joinToken(input: JoinInput): Promise<string>;
  /** Deletes the room (after the call, or when the booking is cancelled). Idempotent. */
  deleteRoom(room: VideoRoom): Promise<void>;
}
