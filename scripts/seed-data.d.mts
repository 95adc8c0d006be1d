export declare const DEMO_PASSWORD: string;
export declare const DEMO_USERS: {
  id: string;
  email: string;
  name: string;
  role: 'USER' | 'CREATOR' | 'ADMIN';
  locale: 'fr' | 'en';
  timezone: string;
}[];
export declare const DEMO_CREATORS: {
  id: string;
  userId: string;
  slug: string;
  displayName: string;
  currency: string;
  timezone: string;
}[];
export declare function seedStatements(now?: Date): Promise<string[]>;
export declare const OCCUPYING_STATUSES: string[];
