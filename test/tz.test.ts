import { describe, expect, it } from 'vitest';
import { localParts, offsetMinutes, parseLocalDateTime, toLocalInput, zonedToUtc } from '../src/lib/tz';

describe('zoned wall-clock time ↔ UTC', () => {
  it('converts ordinary times both ways in several zones', () => {
    expect(zonedToUtc(2026, 12, 1, 18, 30, 'Europe/Paris').toISOString()).toBe('2026-12-01T17:30:00.000Z');
    expect(zonedToUtc(2026, 7, 1, 18, 30, 'Europe/Paris').toISOString()).toBe('2026-07-01T16:30:00.000Z');
    expect(zonedToUtc(2026, 7, 1, 9, 0, 'America/New_York').toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(zonedToUtc(2026, 1, 1, 0, 0, 'Asia/Kolkata').toISOString()).toBe('2025-12-31T18:30:00.000Z');
    expect(toLocalInput(new Date('2026-12-01T17:30:00Z'), 'Europe/Paris')).toBe('2026-12-01T18:30');
    expect(localParts(new Date('2026-11-22T10:00:00Z'), 'Europe/Paris').weekday).toBe(0);
  });

  it('handles the spring-forward gap (the missing hour moves forward)', () => {
    // Paris: 2026-03-29 02:00 → 03:00. 02:30 does not exist; it becomes 03:30 (01:30Z).
    expect(zonedToUtc(2026, 3, 29, 2, 30, 'Europe/Paris').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedToUtc(2026, 3, 29, 3, 0, 'Europe/Paris').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // New York: 2026-03-08 02:00 → 03:00.
    expect(zonedToUtc(2026, 3, 8, 2, 15, 'America/New_York').toISOString()).toBe('2026-03-08T07:15:00.000Z');
  });

  it('resolves the repeated autumn hour to its first occurrence', () => {
    // Paris: 2026-10-25 03:00 → 02:00; 02:30 happens twice (00:30Z and 01:30Z).
    expect(zonedToUtc(2026, 10, 25, 2, 30, 'Europe/Paris').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedToUtc(2026, 11, 1, 1, 30, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(offsetMinutes(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Paris')).toBe(120);
    expect(offsetMinutes(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Paris')).toBe(60);
  });

  it('parses datetime-local values and rejects malformed ones', () => {
    expect(parseLocalDateTime('2026-12-01T18:30', 'Europe/London')!.toISOString()).toBe('2026-12-01T18:30:00.000Z');
    expect(parseLocalDateTime('2026-13-01T18:30', 'Europe/London')).toBeNull();
    expect(parseLocalDateTime('tomorrow', 'Europe/London')).toBeNull();
  });
});
