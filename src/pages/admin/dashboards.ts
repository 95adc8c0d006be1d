/** The admin dashboards (overview, accounts, bookings, payments, disputes, reviews, audit) as one page group. */
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context';
import { adminAuditPages } from './audit';
import { adminBookingPages } from './bookings';
import { adminDisputePages } from './disputes';
import { adminOverviewPages } from './overview';
import { adminPaymentPages } from './payments';
import { adminReviewPages } from './reviews';
import { adminUserPages } from './users';

export const adminDashboardPages = new Hono<AppEnv>();
for (const group of [
  adminOverviewPages,
  adminUserPages,
  adminBookingPages,
  adminPaymentPages,
  adminDisputePages,
  adminReviewPages,
  adminAuditPages,
])
  adminDashboardPages.route('/', group);
