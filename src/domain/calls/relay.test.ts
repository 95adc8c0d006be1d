import { describe, expect, it } from 'vitest';
import { MAX_SIGNAL_MESSAGE, signalToRelay } from './relay';

describe('the call room relays signalling only', () => {
  it('passes offers, answers, candidates, media and hangups on as they came', () => {
    for (const msg of [
      { type: 'offer', sdp: 'v=0' },
      { type: 'answer', sdp: 'v=0' },
      { type: 'candidate', candidate: { candidate: 'c' } },
      { type: 'media', camera: true, mic: false },
      { type: 'hangup' },
    ])
      expect(signalToRelay(JSON.stringify(msg))).toEqual(msg);
  });

  it("drops the server's own messages, unknown types, binary, non-JSON and over-long messages", () => {
    for (const type of ['welcome', 'peer-joined', 'peer-left', 'closed', 'time-up', 'other'])
      expect(signalToRelay(JSON.stringify({ type }))).toBeNull();
    expect(signalToRelay(new TextEncoder().encode('{"type":"offer"}').buffer as ArrayBuffer)).toBeNull();
    expect(signalToRelay('{not json')).toBeNull();
    const long = JSON.stringify({ type: 'offer', sdp: 'x'.repeat(MAX_SIGNAL_MESSAGE) });
    expect(signalToRelay(long)).toBeNull();
  });
});
