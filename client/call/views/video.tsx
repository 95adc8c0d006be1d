/** A <video> bound to a MediaStream (srcObject is a property, not an attribute). */
import { useEffect, useRef } from 'preact/hooks';

export function Video({
  stream,
  muted,
  id,
  label,
}: {
  stream: MediaStream | null;
  muted: boolean;
  id: string;
  label: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video id={id} ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}
