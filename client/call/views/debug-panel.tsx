/** ?debug=1: the page's own event lines beside what the server recorded. */
import type { CallEventDtoT } from '../../../src/shared/calls';
import type { Labeler } from '../labels';
import type { DebugLine } from '../use-call-log';

export function DebugPanel({
  L,
  lines,
  serverEvents,
}: {
  L: Labeler;
  lines: DebugLine[];
  serverEvents: CallEventDtoT[];
}) {
  return (
    <details class="card call-debug" open data-debug>
      <summary>{L('debug.heading')}</summary>
      <div class="grid two">
        <div>
          <h3>{L('debug.page')}</h3>
          <ol class="mono small">
            {lines.map((d) => (
              <li>
                {new Date(d.at).toISOString().slice(11, 19)} {d.text}
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h3>{L('debug.server')}</h3>
          <ol class="mono small" data-server-events>
            {serverEvents.map((e) => (
              <li data-event={e.type}>
                {e.occurredAt.slice(11, 19)} {e.type} {e.actor.role ?? ''} ({e.source})
              </li>
            ))}
          </ol>
        </div>
      </div>
    </details>
  );
}
