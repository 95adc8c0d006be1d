/** Camera and microphone selects; choosing one reopens the preview with that device. */
import type { Labeler } from '../labels';
import type { LocalMedia } from '../use-local-media';

export function DevicePickers({ L, media }: { L: Labeler; media: LocalMedia }) {
  return (
    <div class="devices">
      <label>
        {L('precall.camera')}
        <select
          value={media.camId}
          onChange={(e) => media.setCamId((e.target as HTMLSelectElement).value)}
          disabled={!media.devices.cams.length}
        >
          {media.devices.cams.map((d, i) => (
            <option value={d.deviceId}>{d.label || `${L('precall.camera')} ${i + 1}`}</option>
          ))}
        </select>
      </label>
      <label>
        {L('precall.mic')}
        <select
          value={media.micId}
          onChange={(e) => media.setMicId((e.target as HTMLSelectElement).value)}
          disabled={!media.devices.mics.length}
        >
          {media.devices.mics.map((d, i) => (
            <option value={d.deviceId}>{d.label || `${L('precall.mic')} ${i + 1}`}</option>
          ))}
        </select>
      </label>
    </div>
  );
}
