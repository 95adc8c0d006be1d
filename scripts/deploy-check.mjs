// The deploy script's decision, pure (tested in test/env-rules.test.ts): may this environment be
// deployed, given its vars (wrangler.toml) and the names of its Worker secrets? The rules are the
// Worker's own (src/env-rules.mjs), so a deploy that passes is one the Worker will not refuse.
import { API_BASE_OVERRIDES, describePlan, providerPlan } from '../src/env-rules.mjs';

/**
 * `secrets`: the names `wrangler secret list` gives, or null when they are unknown (dry run, no
 * account): then only what the vars alone decide is checked.
 */
export function deployCheck({ env, vars, secrets }) {
  const errors = [];
  const warnings = [];
  const appEnv = vars.APP_ENV;
  // [env.production] with APP_ENV "development" would serve the development tools and fake payments.
  if (appEnv !== env) errors.push(`[env.${env}] sets APP_ENV = "${appEnv ?? ''}": it must be "${env}"`);
  const isVar = (n) => typeof vars[n] === 'string' && vars[n].trim() !== '';
  const isSet = (n) => isVar(n) || (secrets ?? []).includes(n);
  const plan = providerPlan({ appEnv: env, builtinProviders: vars.BUILTIN_PROVIDERS, isSet });
  const known = secrets === null ? { ...plan, missing: [] } : plan;
  if (known.missing.length || known.invalid.length) errors.push(describePlan(env, known));
  if (!errors.length) {
    for (const [name, builtin] of Object.entries(plan.builtin))
      if (builtin && secrets !== null)
        warnings.push(`${name}: the built-in provider runs on ${env} (BUILTIN_PROVIDERS)`);
    if (env === 'production')
      for (const n of API_BASE_OVERRIDES)
        if (isSet(n)) warnings.push(`${n} is set but ignored in production (the real host is used)`);
  }
  return { errors, warnings };
}
