/** The admin area: every admin page group, in the order they match. */
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

/** Mounted by app.ts at `/:lang{fr|en}/admin`; the groups' paths are relative to it. */
export const adminPages = new Hono<AppEnv>();
for (const group of [
  adminPayoutPages,
  adminSettingsPages,
  adminOpsPages,
  adminOverviewPages,
  adminUserPages,
  adminBookingPages,
  adminPaymentPages,
  adminDisputePages,
  adminReviewPages,
  adminAuditPages,
])
  adminPages.route('/', group);
