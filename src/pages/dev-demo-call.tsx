/**
 * Development tool (404 in production): /dev/demo-call creates a confirmed, free booking between the
 * signed-in person (as the fan) and a creator, starting now or shortly, with any duration from
 * 1 minute — so the call page can be tried (and tested in a browser) without waiting for a real
 * booking's slot. Offers created this way bypass the 30-minute lead time on purpose.
 */
import { z } from 'zod';
import { createDemoCall, demoCreators } from '../domain/dev/demo-call';
import { badRequest, notFound } from '../http/errors';
import { flash, page, viewOf } from './render';
import { pageArea } from './page-route';

const area = pageArea('user');
export const demoCallPages = area.app;

demoCallPages.use('/dev/demo-call', async (c, next) => {
  if (!c.get('deps').config.devTools) throw notFound('Page');
  await next();
});

const DemoCallForm = z.object({
  creatorId: z.string().regex(/^crt_[0-9a-z]{6,40}$/),
  durationMinutes: z.coerce.number().int().min(1).max(120),
  startInSeconds: z.coerce.number().int().min(0).max(86_400),
});

/** A dev tool's bad form is a plain 400 that says what it needs. */
const refuseDemoCall = (): never => {
  throw badRequest('creatorId, durationMinutes (1–120) and startInSeconds (0–86400) are required.');
};

area.get('/dev/demo-call', {}, async (c, { user }) => {
  const { t } = viewOf(c);
  const list = await demoCreators(c.get('deps'), user.id);
  return page(c, {
    title: t('demoCall.title'),
    body: (
      <>
        <h1>{t('demoCall.title')}</h1>
        <p class="muted">{t('demoCall.intro')}</p>
        {list.length === 0 ? (
          <p class="empty">{t('demoCall.noCreator')}</p>
        ) : (
          <form method="post" action="/dev/demo-call" class="card narrow">
            <label for="dc-creator">{t('demoCall.creator')}</label>
            <select id="dc-creator" name="creatorId">
              {list.map((cr) => (
                <option value={cr.id}>{cr.name}</option>
              ))}
            </select>
            <label for="dc-duration">{t('demoCall.duration')}</label>
            <input id="dc-duration" name="durationMinutes" type="number" min={1} max={120} value="5" required />
            <label for="dc-start">{t('demoCall.start')}</label>
            <select id="dc-start" name="startInSeconds">
              <option value="0">{t('demoCall.startNow')}</option>
              <option value="120">{t('demoCall.startSoon')}</option>
              <option value="960">{t('demoCall.startWaiting')}</option>
            </select>
            <button type="submit" class="button">
              {t('demoCall.submit')}
            </button>
          </form>
        )}
      </>
    ),
  });
});

area.post('/dev/demo-call', { form: DemoCallForm, refused: refuseDemoCall }, async (c, { user, form }) => {
  const { t, href } = viewOf(c);
  const bookingId = await createDemoCall(c.get('deps'), user.id, { ...form, title: t('demoCall.offerTitle') });
  if (!bookingId) throw notFound('Creator');
  flash(c, 'demoCall.created');
  return c.redirect(href(`/call/${bookingId}`), 303);
});
