/** The other person's video, or why it is not there yet (waiting, connecting, left, camera off). */
import type { Labeler } from '../labels';
import type { PeerPresence, Sending } from '../use-call-session';
import { Video } from './video';

export function RemoteView({
  L,
  remote,
  peer,
  peerMedia,
  peerName,
}: {
  L: Labeler;
  remote: MediaStream | null;
  peer: PeerPresence;
  peerMedia: Sending;
  peerName: string;
}) {
  const name = { name: peerName };
  return (
    <div class="remote">
      <Video id="remote-video" stream={remote} muted={false} label={peerName} />
      {!remote ? (
        <p class="overlay">
          {peer === 'left'
            ? L('incall.peerLeft', name)
            : peer === 'present'
              ? L('incall.connecting', name)
              : L('incall.waitingPeer', name)}
        </p>
      ) : null}
      {remote && !peerMedia.camera ? <p class="overlay">{L('incall.peerCameraOff', name)}</p> : null}
      {remote && !peerMedia.mic ? <p class="badge warning peer-muted">{L('incall.peerMuted', name)}</p> : null}
    </div>
  );
}
