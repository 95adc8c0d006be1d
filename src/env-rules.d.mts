/** Types of env-rules.mjs (plain JavaScript, shared with scripts/deploy.mjs). */
export type ProviderName = 'payments' | 'video' | 'email';

export declare const PROVIDERS: readonly { name: ProviderName; key: string; needs: readonly string[] }[];
export declare const PAIRS: readonly (readonly [string, string])[];
export declare const API_BASE_OVERRIDES: readonly string[];
export declare function isLocalEnv(appEnv: string): boolean;
export declare function parseBuiltinProviders(value: string | undefined | null): string[];

export interface ProviderPlan {
  builtin: Record<ProviderName, boolean>;
  missing: string[];
  invalid: string[];
}
export declare function providerPlan(input: {
  appEnv: string;
  builtinProviders?: string | null;
  isSet: (name: string) => boolean;
}): ProviderPlan;
export declare function describePlan(appEnv: string, plan: ProviderPlan): string;
