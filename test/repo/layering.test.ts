import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, objectBindingReads, packages, readTree, specifiers } from './layering';

const root = resolvePath(__dirname, '../..');

describe('the layering of docs/ARCHITECTURE.md', () => {
  it('no import in src/ or client/ breaks a rule', () => {
    const files = readTree(root, ['src', 'client']);
    expect(files.size).toBeGreaterThan(200);
    const found = check(files, (p) => existsSync(join(root, p)));
    expect(found.map((v) => `${v.file} → ${v.imports}: ${v.why}`)).toEqual([]);
  });

  it('fails on a file that breaks each rule (the check can fail)', () => {
    const broken = new Map([
      [
        'src/domain/x.ts',
        "import { a } from '../providers/video/daily';\nimport type { B } from '../durable/offer-room';",
      ],
      ['src/domain/y.ts', "import type { PaymentsPort } from '../providers/payments/port';"],
      ['src/providers/email/z.ts', "export { c } from '../../domain/email/links';"],
      ['src/pages/p.tsx', "const m = await import('../api/offers');"],
      ['src/api/q.ts', "import '../pages/home';"],
      ['client/islands/i.tsx', "import { users } from '../../src/db/schema';"],
      ['src/shared/s.ts', "import { ROLES } from '../db/schema';"],
      ['src/jobs/registry.ts', "import { bookingSweep } from './booking-sweep';"],
      ['src/pages/r.tsx', "import type { User } from '../db/schema';\nimport { eq } from 'drizzle-orm';"],
      ['src/pages/admin/a.tsx', "import { eq } from 'drizzle-orm';"],
    ]);
    const found = check(broken, () => false).map((v) => `${v.file} → ${v.imports}`);
    expect(found).toEqual([
      'src/domain/x.ts → src/providers/video/daily',
      'src/domain/x.ts → src/durable/offer-room',
      'src/providers/email/z.ts → src/domain/email/links',
      'src/pages/p.tsx → src/api/offers',
      'src/api/q.ts → src/pages/home',
      'client/islands/i.tsx → src/db/schema',
      'src/shared/s.ts → src/db/schema',
      'src/jobs/registry.ts → src/jobs/booking-sweep',
      'src/pages/r.tsx → drizzle-orm',
      'src/pages/r.tsx → src/db/schema',
      'src/pages/admin/a.tsx → drizzle-orm',
    ]);
  });

  it('only src/deps.ts reaches a Durable Object namespace (everyone else takes deps.rooms)', () => {
    expect(objectBindingReads(readTree(root, ['src']))).toEqual([]);
    const broken = new Map([
      ['src/deps.ts', 'offer: (id) => env.OFFER_ROOM.getByName(id),'],
      ['src/durable/x.ts', 'this.env.CREATOR_CALENDAR.getByName(id)'],
      ['src/domain/y.ts', 'const s = env.CALL_ROOM.get(id);'],
    ]);
    expect(objectBindingReads(broken)).toEqual(['src/durable/x.ts', 'src/domain/y.ts']);
  });

  it('reads every form of import, and only relative ones', () => {
    const text = [
      "import a from './a';",
      "import type { B } from '../b';",
      "export * from './c';",
      "export { d } from './d';",
      "await import('./e');",
      "import './f';",
      "import { z } from 'zod';",
      "import {\n  g,\n  h,\n} from './gh';",
    ].join('\n');
    expect(specifiers(text)).toEqual(['./a', '../b', './c', './d', './e', './f', './gh']);
    expect(packages(text)).toEqual(['zod']);
  });
});
