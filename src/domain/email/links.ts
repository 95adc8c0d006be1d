/**
 * One-time links in emails (email verification, password reset) are never stored: the email log
 * keeps only a reference (the token's id and the page), and the link is derived when the email is
 * rendered — at enqueue (to validate) and at send time. The token itself is an HMAC of its id under
 * SESSION_SECRET, and only its SHA-256 is in `auth_tokens`: the database alone holds nothing usable.
 */
import type { Config } from '../../env';
import { hmacSha256, toBase64Url } from '../../lib/crypto';

/** A link to derive when rendering: `${appUrl}${path}?token=<token of tokenId>`. */
export interface SecretLink {
  kind: 'auth-token';
  tokenId: string;
  /** The page, with the recipient's language, e.g. `/fr/verify-email`. */
  path: string;
}

/** The token of an auth-token id (deterministic: every render of the email carries the same link). */
export async function authTokenFor(config: Pick<Config, 'sessionSecret'>, tokenId: string): Promise<string> {
  return toBase64Url(await hmacSha256(`email-link:${config.sessionSecret}`, tokenId));
}

/** The template data fields the links stand for (`{ url: SecretLink }` → `{ url: 'https://…?token=…' }`). */
export async function resolveLinks(
  config: Pick<Config, 'sessionSecret' | 'appUrl'>,
  links: Record<string, SecretLink> | undefined,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [field, link] of Object.entries(links ?? {})) {
    out[field] = `${config.appUrl}${link.path}?token=${await authTokenFor(config, link.tokenId)}`;
  }
  return out;
}
