// Which secrets a deployed environment needs, given which are set: one pure function shared by the
// Worker (readConfig refuses to start) and the deploy script (refuses to deploy). Plain JavaScript
// so that scripts/deploy.mjs runs it under Node without a build step (types: env-rules.d.mts).

/** Each provider: the secret that switches it on, and what else it needs once on. */
export const PROVIDERS = [
  // The publishable key mounts Stripe's card form; the webhook secret(s) verify Stripe's events.
  { name: 'payments', key: 'STRIPE_SECRET_KEY', needs: ['STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'] },
  { name: 'video', key: 'DAILY_API_KEY', needs: ['DAILY_WEBHOOK_SECRET'] },
  { name: 'email', key: 'RESEND_API_KEY', needs: ['RESEND_WEBHOOK_SECRET'] },
];

/** Optional features whose secrets only work together: both or neither. */
export const PAIRS = [
  ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  ['TURN_KEY_ID', 'TURN_KEY_API_TOKEN'],
];

/** Host overrides for the tests' fakes: ignored in production, where the SDKs talk to the real hosts. */
export const API_BASE_OVERRIDES = [
  'STRIPE_API_BASE',
  'DAILY_API_BASE',
  'RESEND_API_BASE',
  'GOOGLE_OAUTH_BASE',
  'TURN_API_BASE',
];

/** Development and test run everything built-in without asking; every other environment is "deployed". */
export const isLocalEnv = (appEnv) => appEnv === 'development' || appEnv === 'test';

/** BUILTIN_PROVIDERS="payments, email" → ['payments', 'email']. */
export const parseBuiltinProviders = (value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The decision for one environment. `builtin` says which providers run built-in (no key);
 * `missing` names the secrets to set; `invalid` describes settings that are wrong whatever is set.
 * A deployed environment is fine only when both lists are empty.
 */
export function providerPlan({ appEnv, builtinProviders, isSet }) {
  const local = isLocalEnv(appEnv);
  const optIn = parseBuiltinProviders(builtinProviders);
  const invalid = [];
  const missing = [];
  if (!local) {
    const unknown = optIn.filter((n) => !PROVIDERS.some((p) => p.name === n));
    if (unknown.length)
      invalid.push(
        `BUILTIN_PROVIDERS names unknown providers (${unknown.join(', ')}); known: ${PROVIDERS.map((p) => p.name).join(', ')}`,
      );
    // Built-in payments confirm bookings with a fake card: never where the money is real.
    if (appEnv === 'production' && optIn.length)
      invalid.push('BUILTIN_PROVIDERS is refused in production (staging only)');
    if (!isSet('SESSION_SECRET')) missing.push('SESSION_SECRET');
  }
  const builtin = {};
  for (const p of PROVIDERS) {
    const on = isSet(p.key);
    builtin[p.name] = !on;
    if (local) continue;
    if (on) missing.push(...p.needs.filter((n) => !isSet(n)));
    else if (!(appEnv === 'staging' && optIn.includes(p.name))) missing.push(p.key, ...p.needs);
  }
  if (!local) for (const pair of PAIRS) if (pair.some(isSet)) missing.push(...pair.filter((n) => !isSet(n)));
  return { builtin, missing, invalid };
}

/** One line for logs and the deploy script: what is wrong, by name (never a value). */
export function describePlan(appEnv, plan) {
  const parts = [...plan.invalid];
  if (plan.missing.length) {
    const hint = appEnv === 'staging' ? ' (or run a provider built-in with BUILTIN_PROVIDERS, staging only)' : '';
    parts.push(`missing secrets: ${plan.missing.join(', ')}${hint}`);
  }
  return parts.join('; ');
}
