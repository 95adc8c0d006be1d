import { toBase64Url } from './crypto';

export async function sha256Base64Url(input: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input))));
}
