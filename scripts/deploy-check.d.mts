/** Types of deploy-check.mjs. */
export declare function deployCheck(input: { env: string; vars: Record<string, unknown>; secrets: string[] | null }): {
  errors: string[];
  warnings: string[];
};
