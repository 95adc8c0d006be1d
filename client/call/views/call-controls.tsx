/** Camera and microphone toggles and hang up. */
import type { Labeler } from '../labels';
import type { Sending } from '../use-call-session';

export function CallControls({
  L,
  sending,
  onToggle,
  onHangup,
}: {
  L: Labeler;
  sending: Sending;
  onToggle: (kind: 'camera' | 'mic') => void;
  onHangup: () => void;
}) {
  return (
    <div class="controls">
      <button
        type="button"
        class={`button secondary ${sending.camera ? '' : 'off'}`}
        data-action="camera"
        aria-pressed={!sending.camera}
        onClick={() => onToggle('camera')}
      >
        {sending.camera ? L('incall.cameraOff') : L('incall.cameraOn')}
      </button>
      <button
        type="button"
        class={`button secondary ${sending.mic ? '' : 'off'}`}
        data-action="mic"
        aria-pressed={!sending.mic}
        onClick={() => onToggle('mic')}
      >
        {sending.mic ? L('incall.micOff') : L('incall.micOn')}
      </button>
      <button type="button" class="button danger" data-action="hangup" onClick={onHangup}>
        {L('incall.hangup')}
      </button>
    </div>
  );
}
