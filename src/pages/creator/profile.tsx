/** Creator space — public profile: identity, bio, links, currency, zone, cancellation policy, images. */
import type { Creator } from '../../domain/rows';
import { CANCELLATION_POLICIES, CURRENCIES } from '../../shared/enums';
import {
  IMAGE_LIMITS,
  removeCreatorImage,
  setCreatorImage,
  updateCreatorProfile,
  type ImageKind,
} from '../../domain/creators/profile';
import { imageUrl } from '../../domain/creators/queries';
import type { Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { timeZones } from '../../i18n/format';
import { UpdateCreatorBody } from '../../shared/creators';
import { Field, FormError, localizeIssues, type FieldErrors } from '../components/form';
import { Avatar, Banner } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { pageArea } from '../page-route';
import { z } from 'zod';

const area = pageArea('creator');
export const creatorProfilePages = area.app;
const SOCIAL = ['instagram', 'tiktok', 'youtube', 'x', 'website'] as const;

function ImageForm({ c, creator, kind }: { c: Ctx; creator: Creator; kind: ImageKind }) {
  const { t, href } = viewOf(c);
  const key = kind === 'profile' ? creator.profileImageKey : creator.bannerImageKey;
  const lim = IMAGE_LIMITS[kind];
  return (
    <div class="image-field">
      {kind === 'profile' ? (
        <Avatar name={creator.displayName} url={imageUrl(key)} size="lg" />
      ) : key ? (
        <Banner class="banner-preview" url={imageUrl(key)!} />
      ) : (
        <div class="banner-preview placeholder" />
      )}
      <form
        method="post"
        action={href(`/creator/profile/image/${kind}`)}
        enctype="multipart/form-data"
        data-image-upload={kind}
        data-max={lim.max}
      >
        <label for={`img-${kind}`}>{t(`creatorSpace.image.${kind}` as MessageKey)}</label>
        <input id={`img-${kind}`} name="image" type="file" accept="image/jpeg,image/png,image/webp" required />
        <p class="hint">{t('creatorSpace.image.hint', { min: lim.min, max: lim.max })}</p>
        <button type="submit" class="button secondary small">
          {t('creatorSpace.image.upload')}
        </button>
      </form>
      {key ? (
        <form method="post" action={href(`/creator/profile/image/${kind}/remove`)}>
          <button type="submit" class="link-button danger">
            {t('creatorSpace.image.remove')}
          </button>
        </form>
      ) : null}
    </div>
  );
}

function profilePage(
  c: Ctx,
  creator: Creator,
  form?: { values: Record<string, string>; errors: FieldErrors; formError?: string },
  status = 200,
) {
  const { t, href } = viewOf(c);
  const v = form?.values ?? {
    displayName: creator.displayName,
    slug: creator.slug,
    expertise: creator.expertise,
    bio: creator.bio,
    currency: creator.currency,
    timezone: creator.timezone,
    cancellationPolicy: creator.cancellationPolicy,
    ...Object.fromEntries(SOCIAL.map((k) => [`social_${k}`, (creator.socialLinks as Record<string, string>)[k] ?? ''])),
  };
  const errors = form?.errors ?? {};
  return page(c, {
    title: t('creatorSpace.profile'),
    status,
    islands: ['image-upload'],
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="profile" />
        <p>
          <a href={href(`/c/${creator.slug}`)}>{t('creatorSpace.viewPublic')} →</a>
        </p>
        <div class="grid two">
          <form method="post" action={href('/creator/profile')} class="card" novalidate>
            <FormError message={form?.formError} />
            <Field
              name="displayName"
              label={t('creatorSpace.displayName')}
              value={v.displayName}
              error={errors.displayName}
              required
            />
            <Field
              name="slug"
              label={t('creatorSpace.slug')}
              value={v.slug}
              error={errors.slug}
              hint={t('creatorSpace.slugHint')}
              required
            />
            <Field name="expertise" label={t('creatorSpace.expertise')} value={v.expertise} error={errors.expertise} />
            <Field name="bio" label={t('creatorSpace.bio')} error={errors.bio}>
              <textarea id="f-bio" name="bio" maxlength={2000}>
                {v.bio}
              </textarea>
            </Field>
            <div class="grid two tight">
              <Field name="currency" label={t('creatorSpace.currency')} error={errors.currency}>
                <select id="f-currency" name="currency">
                  {CURRENCIES.map((cur) => (
                    <option value={cur} selected={cur === v.currency}>
                      {cur}
                    </option>
                  ))}
                </select>
              </Field>
              <Field name="timezone" label={t('account.timezone')} error={errors.timezone}>
                <select id="f-timezone" name="timezone">
                  {timeZones().map((z) => (
                    <option value={z} selected={z === v.timezone}>
                      {z}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <Field
              name="cancellationPolicy"
              label={t('creatorSpace.policy')}
              error={errors.cancellationPolicy}
              hint={t('creatorSpace.policyHint')}
            >
              <select id="f-cancellationPolicy" name="cancellationPolicy">
                {CANCELLATION_POLICIES.map((p) => (
                  <option value={p} selected={p === v.cancellationPolicy}>
                    {t(`policy.${p}` as MessageKey)}
                  </option>
                ))}
              </select>
            </Field>
            <fieldset>
              <legend>{t('creatorSpace.links')}</legend>
              {SOCIAL.map((k) => (
                <Field
                  name={`social_${k}`}
                  type="url"
                  label={t(`social.${k}` as MessageKey)}
                  value={v[`social_${k}`]}
                  error={errors.socialLinks}
                />
              ))}
            </fieldset>
            <button type="submit" class="button">
              {t('account.save')}
            </button>
          </form>
          <section class="card">
            <h2>{t('creatorSpace.images')}</h2>
            <ImageForm c={c} creator={creator} kind="profile" />
            <ImageForm c={c} creator={creator} kind="banner" />
          </section>
        </div>
      </>
    ),
  });
}

area.get('/profile', {}, async (c, r) => {
  return profilePage(c, r.creator);
});

area.post('/profile', {}, async (c, r) => {
  const { t, href } = viewOf(c);
  const form = await r.raw();
  const socialLinks = Object.fromEntries(
    SOCIAL.map((k) => [k, (form[`social_${k}`] ?? '').trim()]).filter(([, v]) => v),
  );
  const parsed = UpdateCreatorBody.safeParse({
    displayName: form.displayName,
    slug: form.slug,
    expertise: form.expertise ?? '',
    bio: form.bio ?? '',
    currency: form.currency,
    timezone: form.timezone,
    cancellationPolicy: form.cancellationPolicy,
    socialLinks,
  });
  if (!parsed.success) return profilePage(c, r.creator, { values: form, errors: localizeIssues(t, parsed.error) }, 400);
  const out = await updateCreatorProfile(c.get('deps'), r.creator, parsed.data);
  if (!out.ok && out.code === 'CURRENCY_NOT_ACCEPTED')
    return profilePage(
      c,
      r.creator,
      {
        values: form,
        errors: {
          currency: t('offer.errors.CURRENCY_NOT_ACCEPTED', {
            currency: r.creator.stripeDefaultCurrency ?? r.creator.currency,
          }),
        },
      },
      422,
    );
  if (!out.ok) return profilePage(c, r.creator, { values: form, errors: { slug: t('offer.errors.SLUG_TAKEN') } }, 409);
  flash(c, 'account.saved');
  return c.redirect(href('/creator/profile'), 303);
});

/** Which image: the path admits only these two. */
const ImagePath = { params: z.object({ kind: z.enum(['profile', 'banner']) }) };

area.post('/profile/image/:kind{profile|banner}', ImagePath, async (c, r) => {
  const deps = c.get('deps');
  const { success } = await deps.limiters.upload.limit({ key: `upload:${r.user.id}` });
  // Bodies over 5 MB never get here: the page upload limit (http/body-limit.ts) answers 413.
  const file = success ? (await c.req.formData()).get('image') : null;
  if (file && typeof file !== 'string') {
    const out = await setCreatorImage(deps, r.creator, r.params.kind, new Uint8Array(await file.arrayBuffer()));
    flash(
      c,
      out.ok ? 'creatorSpace.image.saved' : (`offer.errors.${out.code}` as MessageKey),
      out.ok ? 'success' : 'error',
    );
  } else {
    flash(c, success ? 'offer.errors.IMAGE_TYPE_UNSUPPORTED' : 'auth.errors.rateLimited', 'error');
  }
  return c.redirect(viewOf(c).href('/creator/profile'), 303);
});

area.post('/profile/image/:kind{profile|banner}/remove', ImagePath, async (c, r) => {
  await removeCreatorImage(c.get('deps'), r.creator, r.params.kind);
  return c.redirect(viewOf(c).href('/creator/profile'), 303);
});
