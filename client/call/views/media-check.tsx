/** Pre-call preview: the camera, the microphone level and what is missing (with a retry when refused). */
import type { Labeler } from '../labels';
import type { LocalMedia } from '../use-local-media';
import { DevicePickers } from './device-pickers';
import { Video } from './video';

export function MediaCheck({ L, media, level }: { L: Labeler; media: LocalMedia; level: number }) {
  const { problem } = media;
  const blocking = problem === 'denied' || problem === 'inUse';
  return (
    <div class="card">
      <h2>{L('precall.heading')}</h2>
      <Video id="local-preview" stream={media.stream} muted label={L('precall.preview')} />
      <div
        class="meter"
        role="meter"
        aria-label={L('precall.level')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(level * 100)}
      >
        <span style={{ width: `${Math.round(level * 100)}%` }} />
      </div>
      {problem ? (
        <p class={`notice ${blocking ? 'error' : 'warning'}`} role="alert" data-media-problem={problem}>
          {L(`precall.${problem}`)}{' '}
          {blocking ? (
            <button type="button" class="link-button" onClick={media.retry}>
              {L('precall.retry')}
            </button>
          ) : null}
        </p>
      ) : null}
      <DevicePickers L={L} media={media} />
    </div>
  );
}
