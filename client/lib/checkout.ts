/**
 * Stripe checkout, the order that matters: our server re-checks the hold (POST
 * /api/bookings/:id/payment/prepare) and only then may Stripe.js charge the card. A hold that ended
 * (409 HOLD_EXPIRED) or a booking already paid (409 ALREADY_PAID) never reaches confirmPayment.
 * DOM-free so it is tested on its own (test/checkout.test.ts).
 */
export interface PayMessages {
  expired: string;
  paid: string;
  failed: string;
}

export interface PaySteps {
  /** The server's check (same-origin POST with the session cookie). */
  prepare(): Promise<Response>;
  /** Stripe.js confirmPayment. */
  confirm(): Promise<{ error?: { message?: string } }>;
}

/** `final`: the hold is gone or paid — paying again makes no sense, the form stays disabled. */
export type PayResult = { ok: true } | { ok: false; final: boolean; code: string | null; message: string };

export async function prepareThenPay(steps: PaySteps, m: PayMessages): Promise<PayResult> {
  let res: Response;
  try {
    res = await steps.prepare();
  } catch {
    return { ok: false, final: false, code: null, message: m.failed };
  }
  if (!res.ok) {
    const code = ((await res.json().catch(() => null)) as { error?: { code?: string } } | null)?.error?.code ?? null;
    if (code === 'HOLD_EXPIRED') return { ok: false, final: true, code, message: m.expired };
    if (code === 'ALREADY_PAID') return { ok: false, final: true, code, message: m.paid };
    return { ok: false, final: false, code, message: m.failed };
  }
  const { error } = await steps.confirm();
  return error ? { ok: false, final: false, code: 'card_error', message: error.message ?? m.failed } : { ok: true };
}
