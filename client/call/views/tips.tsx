/** Advice shown while waiting and before joining. */
import type { Labeler } from '../labels';

export function Tips({ L }: { L: Labeler }) {
  return (
    <div class="tips">
      <h3>{L('tips.heading')}</h3>
      <ul>
        <li>{L('tips.place')}</li>
        <li>{L('tips.headphones')}</li>
        <li>{L('tips.apps')}</li>
        <li>{L('tips.end')}</li>
      </ul>
    </div>
  );
}
