/**
 * Fan dashboard: a call's "Join" button follows the access window without a reload — disabled
 * with a countdown until it opens (15 min before the start), a link to the call page while it is
 * open, "ended" once it closes. Times come from the server, corrected by the server clock's offset.
 */
interface Props {
  opensAt: string;
  closesAt: string;
  serverNow: string;
  href: string;
  labels: { join: string; opensAt: string; opensIn: string; ended: string };
}

type State = 'closed' | 'open' | 'ended';

const els = [...document.querySelectorAll<HTMLElement>('[data-island="join-button"]')].map((el) => {
  const p = JSON.parse(el.dataset.props ?? '{}') as Props;
  return {
    el,
    p,
    opens: Date.parse(p.opensAt),
    closes: Date.parse(p.closesAt),
    offset: Date.parse(p.serverNow) - Date.now(),
    state: '' as State | '',
  };
});

const clock = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
};

function render(x: (typeof els)[number], state: State, left: number): void {
  const { el, p } = x;
  el.dataset.joinState = state;
  if (state !== x.state) {
    x.state = state;
    let node: HTMLElement;
    if (state === 'open') {
      node = document.createElement('a');
      (node as HTMLAnchorElement).href = p.href;
    } else if (state === 'closed') {
      node = document.createElement('button');
      (node as HTMLButtonElement).type = 'button';
      (node as HTMLButtonElement).disabled = true;
    } else {
      node = document.createElement('span');
    }
    node.className = state === 'ended' ? 'muted' : 'button';
    node.dataset.join = state;
    node.textContent = state === 'ended' ? p.labels.ended : p.labels.join;
    const hint = document.createElement('span');
    hint.className = 'join-hint muted small';
    el.replaceChildren(node, hint);
  }
  const hint = el.querySelector<HTMLElement>('.join-hint')!;
  // A countdown in the last hour; before that, the time it opens.
  hint.textContent =
    state !== 'closed' ? '' : left <= 3_600_000 ? p.labels.opensIn.replace('{left}', clock(left)) : p.labels.opensAt;
}

function tick(): void {
  for (const x of els) {
    const now = Date.now() + x.offset;
    render(x, now >= x.closes ? 'ended' : now >= x.opens ? 'open' : 'closed', x.opens - now);
  }
}

if (els.length) {
  tick();
  setInterval(tick, 1000);
}
