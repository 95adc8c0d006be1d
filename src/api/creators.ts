/** /api/creators: public directory and pages; the signed-in creator's profile and images. */
import { z } from 'zod';
import type { Creator, User } from '../db/schema';
import type { Deps } from '../deps';
import { toUserDto } from '../domain/accounts/dto';
import { userById } from '../domain/accounts/queries';
import { becomeCreator } from '../domain/creators/create-profile';
import { actingCreator } from '../domain/creators/standing';
import { IMAGE_LIMITS, removeCreatorImage, setCreatorImage, type ImageKind } from '../domain/creators/profile';
import { updateCreatorProfile } from '../domain/creators/profile';
import {
  DIRECTORY_PAGE_SIZE,
  findCreator,
  listCreators,
  rating,
  toCreatorDto,
  upcomingOffers,
} from '../domain/creators/queries';
import { toOfferDto } from '../domain/offers/dto';
import { notFound } from '../http/errors';
import { enforceLimit } from '../http/rate-limit';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import { UserDto } from '../shared/auth';
import {
  CreatorDto,
  CreatorListQuery,
  CreatorListResponse,
  CreatorPageResponse,
  UpdateCreatorBody,
} from '../shared/creators';

export const creatorsApi = apiApp('/api');
const tags = ['Creators'];

/** The creator profile the caller may act as (403 for others: no profile, role withdrawn by an admin, disabled). */
export async function creatorOfUser(deps: Deps, user: Pick<User, 'id'>): Promise<Creator> {
  const acting = await actingCreator(deps, user.id);
  if (!acting.ok) throw refusal(acting.code);
  return acting.creator;
}

route(
  creatorsApi,
  {
    method: 'get',
    path: '/creators',
    summary: 'Search creators (name, expertise, bio), 12 per page',
    tags,
    access: 'public',
    query: CreatorListQuery,
    responses: { 200: { description: 'A page of creators', schema: CreatorListResponse } },
  },
  async (c, { query }) => {
    const { items, total } = await listCreators(c.get('deps'), query.q, query.page);
    return c.json({ items, page: query.page, total, pageSize: DIRECTORY_PAGE_SIZE });
  },
);

route(
  creatorsApi,
  {
    method: 'get',
    path: '/creators/me',
    summary: 'My creator profile',
    tags,
    access: ['CREATOR', 'ADMIN'],
    responses: { 200: { description: 'Profile', schema: z.object({ creator: CreatorDto }) } },
  },
  async (c, { user }) => c.json({ creator: toCreatorDto(await creatorOfUser(c.get('deps'), user)) }),
);

route(
  creatorsApi,
  {
    method: 'get',
    path: '/creators/:idOrSlug',
    summary: 'A creator, their upcoming offers and rating',
    tags,
    access: 'public',
    params: z.object({ idOrSlug: z.string().min(2).max(60) }),
    responses: {
      200: { description: 'Creator page data', schema: CreatorPageResponse },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const creator = await findCreator(deps, params.idOrSlug);
    if (!creator) throw notFound('Creator');
    const [offers, r] = await Promise.all([upcomingOffers(deps, creator.id), rating(deps, creator.id)]);
    return c.json({ creator: toCreatorDto(creator), offers: offers.map(toOfferDto), rating: r });
  },
);

route(
  creatorsApi,
  {
    method: 'post',
    path: '/me/become-creator',
    summary:
      'Turn this fan account into a creator (creates the profile); refused once an admin withdrew the creator role',
    tags,
    access: 'user',
    responses: {
      200: { description: 'Now a creator', schema: z.object({ user: UserDto, creator: CreatorDto }) },
      403: { description: 'CREATOR_ROLE_WITHDRAWN: only an admin can give the role back' },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const r = await becomeCreator(deps, user.id);
    if (!r.ok) throw refusal(r.code);
    const updated = (await userById(deps, user.id))!;
    return c.json({ user: toUserDto(updated), creator: toCreatorDto(r.creator) });
  },
);

route(
  creatorsApi,
  {
    method: 'put',
    path: '/creators/me',
    summary: 'Update my creator profile (slug, bio, expertise, currency, time zone, social links, cancellation policy)',
    tags,
    access: ['CREATOR', 'ADMIN'],
    body: UpdateCreatorBody,
    responses: {
      200: { description: 'Updated', schema: z.object({ creator: CreatorDto }) },
      409: { description: 'SLUG_TAKEN' },
    },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const r = await updateCreatorProfile(deps, await creatorOfUser(deps, user), body);
    if (!r.ok) throw refusal(r.code);
    return c.json({ creator: toCreatorDto(r.creator) });
  },
);

const ImageKindParam = z.object({ kind: z.enum(Object.keys(IMAGE_LIMITS) as [ImageKind, ...ImageKind[]]) });

route(
  creatorsApi,
  {
    method: 'put',
    path: '/creators/me/images/:kind',
    summary: 'Upload my profile or banner image (raw JPEG/PNG/WebP body, ≤ 5 MB; checked from the bytes)',
    tags,
    access: ['CREATOR', 'ADMIN'],
    description:
      'The upload is checked from its bytes, then stored as WebP variants only (the original is not kept): profile 96×96 and 256×256 (centred square crops), ' +
      'banner 800 and 1600 px wide (its aspect ratio kept). `url` is the largest variant; pages pick one per <img> with srcset.',
    params: ImageKindParam,
    rawBody: { contentType: 'image/*', description: 'The image bytes' },
    responses: {
      200: {
        description: 'Stored',
        schema: z.object({
          url: z.string(),
          variants: z.array(z.object({ url: z.string(), width: z.number().int(), height: z.number().int() })),
          creator: CreatorDto,
        }),
      },
      413: { description: 'IMAGE_TOO_LARGE' },
      415: { description: 'IMAGE_TYPE_UNSUPPORTED' },
      422: { description: 'IMAGE_DIMENSIONS, IMAGE_UNREADABLE (looks like an image but cannot be decoded)' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    await enforceLimit(deps.limiters.upload, `upload:${user.id}`);
    const creator = await creatorOfUser(deps, user);
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > 5 * 1024 * 1024) throw refusal('IMAGE_TOO_LARGE');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const r = await setCreatorImage(deps, creator, params.kind, bytes);
    if (!r.ok) throw refusal(r.code, r.message);
    return c.json({
      url: r.url,
      variants: r.variants.map((v) => ({ url: `/media/${v.key}`, width: v.width, height: v.height })),
      creator: toCreatorDto(r.creator),
    });
  },
);

route(
  creatorsApi,
  {
    method: 'delete',
    path: '/creators/me/images/:kind',
    summary: 'Remove my profile or banner image',
    tags,
    access: ['CREATOR', 'ADMIN'],
    params: ImageKindParam,
    responses: { 200: { description: 'Removed', schema: z.object({ creator: CreatorDto }) } },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    return c.json({
      creator: toCreatorDto(await removeCreatorImage(deps, await creatorOfUser(deps, user), params.kind)),
    });
  },
);
