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
for (const group of [adminPayoutPages, adminSettingsPages, adminOpsPages]) adminPages.route('/', group);
for (const group of [adminOverviewPages]) adminPages.route('/:lang{fr|en}/admin', group);
for (const group of [adminUserPages, adminBookingPages, adminPaymentPages, adminDisputePages, adminReviewPages])
  adminPages.route('/', group);
for (const group of [adminAuditPages]) adminPages.route('/:lang{fr|en}/admin', group);
