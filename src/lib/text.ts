/** Small text helpers shared by pages, emails and API answers. */

/** "Camille Dubois" → "Camille": how people are named in public (reviews) and in greetings. */
export const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? '';

/**
 * What no single line of text may hold: C0 controls (tab, CR, LF, NUL, ESC…), DEL, C1 controls and
 * the Unicode line and paragraph separators — each ends or hides a line in an .ics file, an email
 * header or a log.
 */
export const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `s` on one line: each run of control characters or line breaks becomes one space (for text stored before the schema refused them). */
export const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
