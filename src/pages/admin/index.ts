/** The admin area: every admin page group, mounted under `/:lang/admin` in the order they match. */
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context';
import { adminAuditPages } from './audit';
import { adminBookingPages } from './bookings';
import { adminDisputePages } from './disputes';
import { adminOpsPages } from './ops';
import { adminOverviewPages } from './overview';
import { adminPaymentPages } from './payments';
import { adminPayoutPages } from './payouts';
import { adminReviewPages } from './reviews';
import { adminSettingsPages } from './settings';
import { adminUserPages } from './users';

export const adminPages = new Hono<AppEnv>();
const AREA = '/:lang{fr|en}/admin';
for (const [group, base] of [
  [adminPayoutPages, AREA],
  [adminSettingsPages, '/'],
  [adminOpsPages, '/'],
  [adminOverviewPages, AREA],
  [adminUserPages, AREA],
  [adminBookingPages, AREA],
  [adminPaymentPages, AREA],
  [adminDisputePages, AREA],
  [adminReviewPages, AREA],
  [adminAuditPages, AREA],
] as const)
  adminPages.route(base, group);
