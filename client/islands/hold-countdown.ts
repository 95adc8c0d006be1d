/** Checkout: a live countdown of the hold; when it runs out, the page says so and points back to the offer. */
for (const el of document.querySelectorAll<HTMLElement>('[data-island="hold-countdown"]')) {
  const p = JSON.parse(el.dataset.props ?? '{}') as {
    until?: string;
    label: string;
    expired: string;
    expiredHref: string;
  };
  if (!p.until) continue;
  const until = Date.parse(p.until);
  const tick = () => {
    const left = Math.max(0, until - Date.now());
    if (left === 0) {
      el.innerHTML = '';
      const a = document.createElement('a');
      a.href = p.expiredHref;
      a.textContent = p.expired;
      el.className = 'notice warning';
      el.append(a);
      for (const b of document.querySelectorAll<HTMLElement>('.checkout-panel .button'))
        b.setAttribute('aria-disabled', 'true');
      clearInterval(timer);
      return;
    }
    const m = Math.floor(left / 60000);
    const s = Math.floor((left % 60000) / 1000);
    el.textContent = `${p.label} ${m}:${String(s).padStart(2, '0')}`;
  };
  const timer = setInterval(tick, 1000);
  tick();
}
