/**
 * Stripe Connect embedded onboarding (only with Stripe and CONNECT_ONBOARDING=embedded): the
 * Account Session's client secret comes from our API; Stripe's script loads on this page only.
 */
interface ConnectInstance {
  create(name: string): HTMLElement & { setOnExit?(cb: () => void): void };
}
declare global {
  interface Window {
    StripeConnect?: {
      init(o: { publishableKey: string; fetchClientSecret: () => Promise<string>; locale?: string }): ConnectInstance;
    };
  }
}

for (const el of document.querySelectorAll<HTMLElement>('[data-island="connect-onboarding"]')) {
  const p = JSON.parse(el.dataset.props ?? '{}') as {
    publishableKey: string;
    sessionUrl: string;
    returnUrl: string;
    locale: string;
  };
  const script = document.createElement('script');
  script.src = 'https://connect-js.stripe.com/v1.0/connect.js';
  script.onload = () => {
    const connect = window.StripeConnect!.init({
      publishableKey: p.publishableKey,
      locale: p.locale,
      fetchClientSecret: async () => {
        const res = await fetch(p.sessionUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return ((await res.json()) as { clientSecret: string }).clientSecret;
      },
    });
    const onboarding = connect.create('account-onboarding');
    onboarding.setOnExit?.(() => {
      location.href = p.returnUrl;
    });
    el.replaceChildren(onboarding);
  };
  document.head.append(script);
}
export {};
