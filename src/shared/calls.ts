/** Messages of the built-in call's signalling channel (CallRoom WebSocket), both directions. */
export type CallSignal =
  | { type: 'welcome'; role: 'CREATOR' | 'FAN'; peer: { name: string; role: string } | null; initiator: boolean }
  | { type: 'peer-joined'; peer: { name: string; role: string } }
  | { type: 'peer-left'; peer: { name: string; role: string } }
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: unknown }
  | { type: 'media'; camera: boolean; mic: boolean }
  | { type: 'hangup' }
  | { type: 'closed' };
