/**
 * The one decision "which secrets does this environment need, given which are set"
 * (src/env-rules.mjs), as readConfig applies it at start and the deploy script before deploying
 * (scripts/deploy-check.mjs): the same inputs, the same refusal, in both places.
 */
import { describe, expect, it } from 'vitest';
import { deployCheck } from '../scripts/deploy-check.mjs';
import { readConfig } from '../src/env';
import { providerPlan } from '../src/env-rules.mjs';
import { DEPLOYED_SECRETS, deployedEnv } from './config-envs';

const ALL = Object.keys(DEPLOYED_SECRETS);
const plan = (appEnv: string, set: string[], builtinProviders?: string) =>
  providerPlan({ appEnv, builtinProviders, isSet: (n) => set.includes(n) });
const vars = (appEnv: string, extra: Record<string, string> = {}) => ({
  APP_ENV: appEnv,
  APP_NAME: 'Call a Star',
  ...extra,
});

describe('providerPlan', () => {
  it('development and test need nothing: every provider without its key runs built-in', () => {
    for (const appEnv of ['development', 'test']) {
      expect(plan(appEnv, [])).toEqual({
        builtin: { payments: true, video: true, email: true },
        missing: [],
        invalid: [],
      });
      expect(plan(appEnv, ['STRIPE_SECRET_KEY', 'GOOGLE_CLIENT_ID'])).toEqual({
        builtin: { payments: false, video: true, email: true },
        missing: [],
        invalid: [],
      });
    }
  });

  it('production needs every provider with all it needs, and both halves of a pair', () => {
    expect(plan('production', ALL)).toEqual({
      builtin: { payments: false, video: false, email: false },
      missing: [],
      invalid: [],
    });
    expect(plan('production', ['SESSION_SECRET']).missing).toEqual([
      'STRIPE_SECRET_KEY',
      'STRIPE_PUBLISHABLE_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'DAILY_API_KEY',
      'DAILY_WEBHOOK_SECRET',
      'RESEND_API_KEY',
      'RESEND_WEBHOOK_SECRET',
    ]);
    expect(
      plan(
        'production',
        ALL.filter((n) => n !== 'DAILY_WEBHOOK_SECRET'),
      ).missing,
    ).toEqual(['DAILY_WEBHOOK_SECRET']);
    expect(plan('production', [...ALL, 'TURN_KEY_ID']).missing).toEqual(['TURN_KEY_API_TOKEN']);
    expect(plan('production', [...ALL, 'GOOGLE_CLIENT_SECRET']).missing).toEqual(['GOOGLE_CLIENT_ID']);
    expect(
      plan(
        'production',
        ALL.filter((n) => n !== 'SESSION_SECRET'),
      ).missing,
    ).toEqual(['SESSION_SECRET']);
    expect(plan('production', ALL, 'payments').invalid).toEqual([expect.stringContaining('refused in production')]);
  });

  it('staging runs a provider built-in only when BUILTIN_PROVIDERS names it', () => {
    expect(plan('staging', ['SESSION_SECRET']).missing).toContain('STRIPE_SECRET_KEY');
    expect(plan('staging', ['SESSION_SECRET'], 'payments, video, email')).toEqual({
      builtin: { payments: true, video: true, email: true },
      missing: [],
      invalid: [],
    });
    expect(
      plan('staging', ['SESSION_SECRET', 'RESEND_API_KEY', 'RESEND_WEBHOOK_SECRET'], 'payments,video').missing,
    ).toEqual([]);
    expect(plan('staging', ['SESSION_SECRET'], 'payments').missing).toEqual([
      'DAILY_API_KEY',
      'DAILY_WEBHOOK_SECRET',
      'RESEND_API_KEY',
      'RESEND_WEBHOOK_SECRET',
    ]);
    // A key set wins over the opt-in, and then it needs what it needs.
    expect(plan('staging', ['SESSION_SECRET', 'STRIPE_SECRET_KEY'], 'payments,video,email')).toMatchObject({
      builtin: { payments: false },
      missing: ['STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'],
    });
    expect(plan('staging', ALL, 'payments,sms').invalid).toEqual([expect.stringContaining('sms')]);
  });

  it('is the rule readConfig applies: refused exactly when the plan has something missing', () => {
    const cases: [string, Record<string, string | undefined>][] = [
      ['production', {}],
      ['production', { DAILY_WEBHOOK_SECRET: undefined }],
      ['production', { TURN_KEY_ID: 'k' }],
      [
        'staging',
        { STRIPE_SECRET_KEY: undefined, STRIPE_PUBLISHABLE_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined },
      ],
      [
        'staging',
        {
          STRIPE_SECRET_KEY: undefined,
          STRIPE_PUBLISHABLE_KEY: undefined,
          STRIPE_WEBHOOK_SECRET: undefined,
          BUILTIN_PROVIDERS: 'payments',
        },
      ],
    ];
    for (const [appEnv, patch] of cases) {
      const env = deployedEnv(appEnv as 'staging' | 'production', patch);
      const set = Object.keys(env).filter(
        (k) =>
          typeof (env as unknown as Record<string, unknown>)[k] === 'string' &&
          (env as unknown as Record<string, string>)[k] !== '',
      );
      const p = plan(appEnv, set, (env as { BUILTIN_PROVIDERS?: string }).BUILTIN_PROVIDERS);
      const refused = (() => {
        try {
          readConfig(env);
          return false;
        } catch {
          return true;
        }
      })();
      expect(refused, `${appEnv} ${JSON.stringify(patch)}`).toBe(p.missing.length > 0 || p.invalid.length > 0);
    }
  });
});

describe('deployCheck (npm run deploy)', () => {
  it('fails a deploy missing required secrets, naming them', () => {
    const r = deployCheck({
      env: 'production',
      vars: vars('production'),
      secrets: ['SESSION_SECRET', 'STRIPE_SECRET_KEY'],
    });
    expect(r.errors).toHaveLength(1);
    for (const n of ['STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET', 'DAILY_API_KEY', 'RESEND_API_KEY'])
      expect(r.errors[0]).toContain(n);
    expect(deployCheck({ env: 'staging', vars: vars('staging'), secrets: ['SESSION_SECRET'] }).errors[0]).toContain(
      'BUILTIN_PROVIDERS',
    );
  });

  it('passes a complete environment; a var counts as set (a publishable key is public)', () => {
    expect(deployCheck({ env: 'production', vars: vars('production'), secrets: ALL })).toEqual({
      errors: [],
      warnings: [],
    });
    const noPk = ALL.filter((n) => n !== 'STRIPE_PUBLISHABLE_KEY');
    expect(
      deployCheck({
        env: 'production',
        vars: vars('production', { STRIPE_PUBLISHABLE_KEY: 'pk_live_x' }),
        secrets: noPk,
      }).errors,
    ).toEqual([]);
  });

  it('staging with its opt-in passes and says which providers run built-in', () => {
    const r = deployCheck({
      env: 'staging',
      vars: vars('staging', { BUILTIN_PROVIDERS: 'payments,video,email' }),
      secrets: ['SESSION_SECRET'],
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringContaining('payments'),
      expect.stringContaining('video'),
      expect.stringContaining('email'),
    ]);
  });

  it('refuses vars that make production unsafe, even on a dry run (secrets unknown)', () => {
    expect(
      deployCheck({ env: 'production', vars: vars('production', { BUILTIN_PROVIDERS: 'payments' }), secrets: null })
        .errors[0],
    ).toContain('refused in production');
    expect(deployCheck({ env: 'production', vars: vars('development'), secrets: ALL }).errors[0]).toContain('APP_ENV');
    // Unknown secrets are not "missing" on a dry run.
    expect(deployCheck({ env: 'production', vars: vars('production'), secrets: null })).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('warns that *_API_BASE overrides are ignored in production', () => {
    const r = deployCheck({
      env: 'production',
      vars: vars('production', { STRIPE_API_BASE: 'http://127.0.0.1:1' }),
      secrets: [...ALL, 'RESEND_API_BASE'],
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringContaining('STRIPE_API_BASE'),
      expect.stringContaining('RESEND_API_BASE'),
    ]);
  });
});
