/**
 * iCalendar (RFC 5545) for a booking: one VEVENT whose UID is the booking id (stable across
 * reschedules; SEQUENCE grows), times in UTC (every calendar shows them in its own zone) plus the
 * recipient's zone as X-WR-TIMEZONE, the call page as URL and in the description, the platform as
 * organizer and both people as attendees. A cancelled booking yields METHOD:CANCEL so calendars
 * remove the event.
 */
import type { Booking } from '../../db/schema';

export interface IcsInput {
  booking: Pick<Booking, 'id' | 'startsAt' | 'endsAt' | 'icsSequence' | 'status' | 'updatedAt'>;
  title: string;
  description: string;
  callUrl: string;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string }[];
  timezone: string;
  /** Host part of the UID (the app's domain). */
  domain: string;
  now: Date;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
/** TEXT value escaping (RFC 5545 §3.3.11). */
export const icsText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
const param = (s: string) => `"${s.replace(/"/g, "'")}"`;

/** Folds content lines at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  const enc = new TextEncoder();
  if (enc.encode(line).length <= 75) return line;
  const out: string[] = [];
  let cur = '';
  let size = 0;
  for (const ch of line) {
    const n = enc.encode(ch).length;
    if (size + n > (out.length ? 74 : 75)) {
      out.push(cur);
      cur = '';
      size = 0;
    }
    cur += ch;
    size += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export function bookingIcs(i: IcsInput): string {
  const cancelled = i.booking.status === 'CANCELLED' || i.booking.status === 'EXPIRED' || i.booking.status === 'FAILED';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Call a Star//Bookings//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${cancelled ? 'CANCEL' : 'PUBLISH'}`,
    `X-WR-TIMEZONE:${i.timezone}`,
    'BEGIN:VEVENT',
    `UID:${i.booking.id}@${i.domain}`,
    `SEQUENCE:${i.booking.icsSequence}`,
    `DTSTAMP:${stamp(i.now)}`,
    `LAST-MODIFIED:${stamp(i.booking.updatedAt)}`,
    `DTSTART:${stamp(i.booking.startsAt)}`,
    `DTEND:${stamp(i.booking.endsAt)}`,
    `SUMMARY:${icsText(i.title)}`,
    `DESCRIPTION:${icsText(`${i.description}\n\n${i.callUrl}`)}`,
    `URL:${i.callUrl}`,
    `LOCATION:${icsText(i.callUrl)}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `ORGANIZER;CN=${param(i.organizer.name)}:mailto:${i.organizer.email}`,
    ...i.attendees.map((a) => `ATTENDEE;CN=${param(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:${a.email}`),
    ...(cancelled ? [] : ['BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${icsText(i.title)}`, 'TRIGGER:-PT15M', 'END:VALARM']),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** Base64 of a UTF-8 string (email attachments). */
export function base64Utf8(s: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}
