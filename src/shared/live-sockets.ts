/**
 * Limits on live WebSockets (offer status, slot pickers, calls), shared by the Durable Objects
 * that hold them and the client islands that open them.
 */
export const LIVE_SOCKETS = {
  /** Sockets one client address may hold on one object (an offer, a creator's calendar, a call room). */
  perObject: 20,
  /** …and on all objects together. */
  perAddress: 200,
  /** A socket that sends nothing (no message, no keep-alive ping) for this long is closed. */
  idleMs: 5 * 60_000,
  /** Clients ping this often: far under idleMs even when a background tab's timers run once a minute. */
  pingMs: 25_000,
} as const;

/** Close codes the server uses; clients reconnect after either (a fresh socket, a fresh place). */
export const SOCKET_CLOSE = {
  /** Nothing heard from the client for LIVE_SOCKETS.idleMs. */
  idle: 4008,
  /** Open longer than its lease on the address's quota (see durable/socket-hub.ts). */
  tooOld: 4009,
} as const;
