/** Phase changes driven by the clock: access opens, and the booked end closes the call on both sides. */
import { useEffect } from 'preact/hooks';
import type { EndReason } from '../lib/call-connection';
import type { CallTimes } from './times';
import type { PhaseState } from './use-phase';

export function usePhaseTimeline(now: number, t: CallTimes, phase: PhaseState, finish: (r: EndReason) => void) {
  useEffect(() => {
    if (phase.phase === 'waiting' && now >= t.opens) phase.setPhase('precall');
    if ((phase.phase === 'precall' || phase.phase === 'waiting') && now >= t.ends) finish('time-up');
    if (phase.phase === 'incall' && now >= t.ends) finish('time-up');
  }, [now, phase.phase]);
}
