/**
 * Stripe's Payment Element, only on the checkout page and only with Stripe configured. Stripe.js is
 * loaded from js.stripe.com at this moment (never bundled, never on other pages). Paying asks our
 * server first whether the hold still stands (client/lib/checkout.ts).
 */
import { prepareThenPay } from '../lib/checkout';

interface StripeLike {
  elements(o: { clientSecret: string; locale?: string; appearance?: unknown }): {
    create(t: string): { mount(el: HTMLElement): void };
  };
  confirmPayment(o: {
    elements: unknown;
    confirmParams: { return_url: string };
  }): Promise<{ error?: { message?: string } }>;
}
declare global {
  interface Window {
    Stripe?: (key: string) => StripeLike;
  }
}

function loadStripe(): Promise<void> {
  return new Promise((resolve, reject) => {
    if (window.Stripe) return resolve();
    const s = document.createElement('script');
    s.src = 'https://js.stripe.com/v3/';
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('Stripe.js did not load'));
    document.head.append(s);
  });
}

for (const el of document.querySelectorAll<HTMLElement>('[data-island="stripe-checkout"]')) {
  const p = JSON.parse(el.dataset.props ?? '{}') as {
    publishableKey: string;
    clientSecret: string;
    returnUrl: string;
    locale: string;
    pay: string;
    paying: string;
    prepareUrl: string;
    expired: string;
    paid: string;
    failed: string;
    expiredHref: string;
    expiredLink: string;
  };
  void (async () => {
    await loadStripe();
    const stripe = window.Stripe!(p.publishableKey);
    const elements = stripe.elements({
      clientSecret: p.clientSecret,
      locale: p.locale,
      appearance: { theme: 'stripe', variables: { colorPrimary: '#5b4cf0' } },
    });
    const form = document.createElement('form');
    const mountPoint = document.createElement('div');
    const error = document.createElement('p');
    error.className = 'error';
    error.setAttribute('role', 'alert');
    const button = document.createElement('button');
    button.className = 'button block';
    button.textContent = p.pay;
    form.append(mountPoint, error, button);
    el.replaceChildren(form);
    elements.create('payment').mount(mountPoint);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      button.textContent = p.paying;
      const result = await prepareThenPay(
        {
          prepare: () =>
            fetch(p.prepareUrl, {
              method: 'POST',
              credentials: 'same-origin',
              headers: { accept: 'application/json' },
            }),
          confirm: () => stripe.confirmPayment({ elements, confirmParams: { return_url: p.returnUrl } }),
        },
        { expired: p.expired, paid: p.paid, failed: p.failed },
      );
      if (result.ok) return;
      error.textContent = result.message;
      if (result.final) {
        // The hold is gone (or already paid): no card form any more, a way back instead.
        const back = document.createElement('a');
        back.href = result.code === 'ALREADY_PAID' ? p.returnUrl : p.expiredHref;
        back.className = 'button';
        back.textContent = p.expiredLink;
        form.replaceChildren(error, back);
        return;
      }
      button.disabled = false;
      button.textContent = p.pay;
    });
  })().catch((e: Error) => {
    el.textContent = e.message;
  });
}
