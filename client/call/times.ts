/** The call's booked instants (ms since epoch) from the island's ISO props. */
import type { CallIslandProps } from '../../src/shared/calls';

export interface CallTimes {
  /** The page lets people in (pre-call) from here. */
  opens: number;
  starts: number;
  ends: number;
}

export const callTimes = (p: Pick<CallIslandProps, 'opensAt' | 'startsAt' | 'endsAt'>): CallTimes => ({
  opens: Date.parse(p.opensAt),
  starts: Date.parse(p.startsAt),
  ends: Date.parse(p.endsAt),
});
