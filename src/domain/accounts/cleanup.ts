/** The daily session-cleanup job: expired sessions and spent email tokens go. */
import type { Deps } from '../../deps';
import { purgeExpiredSessions } from './sessions';
import { purgeAuthTokens } from './tokens';

export async function cleanUpSessions(deps: Deps): Promise<Record<string, number>> {
  return { sessions: await purgeExpiredSessions(deps), tokens: await purgeAuthTokens(deps) };
}
