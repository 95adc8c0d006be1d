/** Booking page while payment is processing: poll until the webhook confirmed (or released) it, then reload. */
for (const el of document.querySelectorAll<HTMLElement>('[data-island="booking-status"]')) {
  const p = JSON.parse(el.dataset.props ?? '{}') as { bookingId: string; confirmed: string; failed: string };
  let tries = 0;
  const poll = async () => {
    tries++;
    try {
      const res = await fetch(`/api/bookings/${p.bookingId}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (res.ok) {
        const { booking } = (await res.json()) as { booking: { status: string } };
        if (booking.status !== 'PENDING') {
          const note = document.createElement('p');
          note.className = `notice ${booking.status === 'CONFIRMED' ? 'success' : 'warning'}`;
          note.textContent = booking.status === 'CONFIRMED' ? p.confirmed : p.failed;
          el.replaceChildren(note);
          setTimeout(() => location.reload(), 1200);
          return;
        }
      }
    } catch {
      // transient: keep polling
    }
    setTimeout(poll, Math.min(10_000, 1000 + tries * 500));
  };
  setTimeout(poll, 800);
}
