/** The call page's phase, also readable from callbacks that outlive renders (the connection's). */
import { useRef, useState } from 'preact/hooks';

export type Phase = 'waiting' | 'precall' | 'incall' | 'ended';

export interface PhaseState {
  phase: Phase;
  /** The phase as last set, even inside a stale closure. */
  current: () => Phase;
  setPhase: (next: Phase) => void;
}

export function usePhase(initial: Phase): PhaseState {
  const [phase, setPhaseState] = useState<Phase>(initial);
  const ref = useRef<Phase>(initial);
  return {
    phase,
    current: () => ref.current,
    setPhase: (next) => {
      ref.current = next;
      setPhaseState(next);
    },
  };
}
