/**
 * The fan space: every fan page group, mounted under `/:lang/dashboard` in the order they match.
 * Each group is a `pageArea('user')`: any signed-in account has a fan side.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context';
import { fanCallPages } from './calls';
import { fanDashboardPages } from './dashboard';
import { fanHistoryPages } from './history';
import { fanRequestPages } from './requests';

export const fanSpace = new Hono<AppEnv>();
for (const group of [fanRequestPages, fanDashboardPages, fanCallPages, fanHistoryPages])
  fanSpace.route('/:lang{fr|en}/dashboard', group);
