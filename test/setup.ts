import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach } from 'vitest';
import { takeResponseMismatches } from '../src/http/response-check';

// Storage is isolated per test file; migrations are applied once per file (idempotent).
await applyD1Migrations(
  env.DB,
  (env as unknown as { TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] }).TEST_MIGRATIONS,
);

// A route that answered outside its declared OpenAPI responses fails the test that called it.
afterEach(() => {
  const found = takeResponseMismatches();
  if (found.length === 0) return;
  const lines = [...new Set(found.map((m) => `  ${m.route} ${m.status}: ${m.problem}`))];
  throw new Error(`Answers that differ from their declared response schemas:\n${lines.join('\n')}`);
});
