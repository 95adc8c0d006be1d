/**
 * iCalendar (RFC 5545) for a booking, as an iTIP message (RFC 5546): one VEVENT whose UID is the
 * booking id (stable: an update replaces the event), the platform as ORGANIZER and both people as
 * ATTENDEEs (accepted, no reply expected), the call page as URL, LOCATION and in the description.
 *
 * - METHOD:REQUEST while the booking is on (a reschedule sends it again with a higher SEQUENCE).
 *   Not PUBLISH: RFC 5546 §3.2.1 forbids ATTENDEE in a PUBLISH.
 * - METHOD:CANCEL once cancelled, with STATUS:CANCELLED, the same attendees, no VALARM, and
 *   SEQUENCE one above the last REQUEST's (§3.2.5: "the SEQUENCE property value MUST be incremented").
 * - Times in UTC (`…Z`): no TZID, so no VTIMEZONE is needed, and every calendar shows them in its
 *   own zone. No X-WR-TIMEZONE (a non-standard calendar-wide default that some clients apply to the
 *   event). The recipient's own local time, in their language, is written in the description.
 */
import type { Booking, Locale } from '../../db/schema';
import { formatDateTime, zoneName } from '../../i18n/format';
import { oneLine } from '../../lib/text';

export interface IcsInput {
  booking: Pick<Booking, 'id' | 'startsAt' | 'endsAt' | 'icsSequence' | 'status' | 'updatedAt'>;
  title: string;
  description: string;
  callUrl: string;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string }[];
  /** The recipient's zone and language, for the local time written in the description. */
  timezone: string;
  locale: Locale;
  /** Host part of the UID (the app's domain). */
  domain: string;
  now: Date;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
/** Line breaks, lone CR and the Unicode ones included: each becomes an escaped `\n` in TEXT. */
const NEWLINE = /\r\n|[\r\n\u0085\u2028\u2029]/g;
/** Any other control character (TAB, NUL, ESC, DEL, C1) becomes a space: TEXT allows TAB alone of them, parameters none. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * TEXT value escaping (RFC 5545 §3.3.11): `\\`, `\;`, `\,`, every line break as `\n`; other
 * control characters become spaces. Names and titles stored before the schema refused them can
 * never end the content line (a `LOCATION:` line added by a fan's name).
 */
export const icsText = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(NEWLINE, '\\n').replace(CONTROL, ' ');
/** A quoted parameter value (§3.1 QSAFE-CHAR): on one line, no control characters, no DQUOTE. */
const param = (s: string) => `"${oneLine(s).replace(/"/g, "'")}"`;
/** A URI value (mailto:, the call page): nothing that could end the line or the value. */
const uri = (s: string) => s.replace(/[\u0000-\u0020\u007f-\u009f\u2028\u2029"\\]/g, '');

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

/** Whether the booking's calendar event is a cancellation (METHOD:CANCEL). */
export const icsCancelled = (b: Pick<Booking, 'status'>) =>
  b.status === 'CANCELLED' || b.status === 'EXPIRED' || b.status === 'FAILED';

export function bookingIcs(i: IcsInput): string {
  const cancelled = icsCancelled(i.booking);
  const localTime = `${formatDateTime(i.booking.startsAt, i.locale, i.timezone, 'full')} ${zoneName(i.booking.startsAt, i.locale, i.timezone)} (${i.timezone})`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Call a Star//Bookings//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${cancelled ? 'CANCEL' : 'REQUEST'}`,
    'BEGIN:VEVENT',
    `UID:${i.booking.id}@${i.domain}`,
    `SEQUENCE:${i.booking.icsSequence + (cancelled ? 1 : 0)}`,
    `DTSTAMP:${stamp(i.now)}`,
    `LAST-MODIFIED:${stamp(i.booking.updatedAt)}`,
    `DTSTART:${stamp(i.booking.startsAt)}`,
    `DTEND:${stamp(i.booking.endsAt)}`,
    `SUMMARY:${icsText(i.title)}`,
    `DESCRIPTION:${icsText(`${i.description}\n${localTime}\n\n${i.callUrl}`)}`,
    `URL:${uri(i.callUrl)}`,
    `LOCATION:${icsText(uri(i.callUrl))}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `ORGANIZER;CN=${param(i.organizer.name)}:mailto:${uri(i.organizer.email)}`,
    ...i.attendees.map(
      (a) =>
        `ATTENDEE;CN=${param(a.name)};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:${uri(a.email)}`,
    ),
    ...(cancelled
      ? []
      : ['BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${icsText(i.title)}`, 'TRIGGER:-PT15M', 'END:VALARM']),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** Base64 of a UTF-8 string (email attachments). */
export function base64Utf8(s: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}
