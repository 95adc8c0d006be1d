/** Small text helpers shared by pages, emails and API answers. */

/** "Camille Dubois" → "Camille": how people are named in public (reviews) and in greetings. */
export const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? '';
