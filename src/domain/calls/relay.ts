/** Which socket messages of the built-in call the CallRoom passes on to the other participant. */
import type { CallSignal } from '../../shared/calls';

/** Longer messages are dropped unread (an SDP is a few KB). */
export const MAX_SIGNAL_MESSAGE = 64 * 1024;

/** Only signalling is relayed; the server's own messages (welcome, peer-left, time-up…) never are. */
const RELAYED: ReadonlySet<CallSignal['type']> = new Set(['offer', 'answer', 'candidate', 'hangup', 'media']);

/** The signal to relay, or null to drop the message (binary, too long, not JSON, not signalling). */
export function signalToRelay(message: string | ArrayBuffer): CallSignal | null {
  if (typeof message !== 'string' || message.length > MAX_SIGNAL_MESSAGE) return null;
  let msg: CallSignal;
  try {
    msg = JSON.parse(message) as CallSignal;
  } catch {
    return null;
  }
  return RELAYED.has(msg.type) ? msg : null;
}
