/** What Google sign-in hands the domain: the OpenID profile of the person who consented. */
export interface GoogleProfile {
  sub: string;
  email: string;
  email_verified?: boolean;
  name?: string;
  locale?: string;
}
