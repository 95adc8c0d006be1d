/**
 * Declarative page routes, the SSR counterpart of `http/route.ts`: one spec declares who may see
 * the page and the zod schemas of its path, query and form, so no handler reads raw input or
 * repeats a guard.
 *
 * ```ts
 * const admin = pageArea('admin'); // every route below: signed-in ADMIN
 * admin.get('/users/:id', { params: z.object({ id: IdParam('usr') }), notFound: 'User' }, (c, { params }) => …);
 * admin.post(
 *   '/users/:id/role',
 *   {
 *     params: z.object({ id: IdParam('usr') }),
 *     form: z.object({ role: z.enum(ROLES), reason: textField(500) }),
 *     refused: 'admin.failed',
 *     back: (c, { params }) => viewOf(c).href(`/admin/users/${params.id}`),
 *   },
 *   async (c, { user, params, form, back }) => back((await act(user, params.id, form)) ? 'done' : 'failed', 'error'),
 * );
 * app.route('/:lang{fr|en}/admin', admin.app); // paths above are relative to the mount
 * ```
 *
 * Answers, the same on every page:
 * - access: anonymous → sign-in redirect (303, `next` = this URL); wrong role → 403 (admin) or the
 *   account page (creator space, as before);
 * - params that fail their schema → 404 (`notFound` names the thing): a malformed id names no page;
 * - query that fails → 400; filters the page ignores when bad are written lenient (`lenient()`);
 * - form that fails → flash `refused` as an error and 303 back (`back`, default: this path),
 *   except a field wrapped in `strict()` (free text, `textField()`): its bad value is a 400, as the
 *   API answers it; a form declared without `refused` is a 400 on any failure. `refused` may also
 *   be a page (the form again, with its errors) instead of a flash;
 * - `deferForm: true`: the handler gets `form()` instead of the parsed form, and calls it after its
 *   own checks (ownership: a stranger's bad form is still the 404), with the same refusal answers.
 */
import { Hono } from 'hono';
import { z, type ZodType } from 'zod';
import type { Creator, User } from '../domain/rows';
import type { AppEnv, Ctx } from '../http/context';
import { forbidden, notFound, validationError } from '../http/errors';
import type { MessageKey } from '../i18n';
import { SingleLineText } from '../shared/common';
import { readForm } from './components/form';
import { requireCreatorPage, requireUserPage } from './page-guards';
import { flash } from './render';

/** public: anyone (user or null); user: any signed-in account (fans included); creator: may act as a creator; admin: ADMIN. */
export type PageAccess = 'public' | 'user' | 'creator' | 'admin';
type Method = 'get' | 'post';
type Infer<T> = T extends ZodType ? z.infer<T> : undefined;
type Kind = 'success' | 'info' | 'error';

/** Who is asking, by access: the creator space also gets the creator row. */
export type PageViewer<A extends PageAccess> = A extends 'public'
  ? { user: User | null }
  : A extends 'creator'
    ? { user: User; creator: Creator }
    : { user: User };

/** What a refused form is answered with when `refused` is a page rather than a flash. */
export type FormRefusal<A extends PageAccess, P, Q> = PageViewer<A> & {
  params: Infer<P>;
  query: Infer<Q>;
  /** The form as posted, to fill the fields again. */
  raw: Record<string, string>;
  error: z.ZodError;
};
type RefusedPage<A extends PageAccess, P, Q> = (c: Ctx, refusal: FormRefusal<A, P, Q>) => Response | Promise<Response>;

export interface PageSpec<P, Q, F, D extends boolean = false, A extends PageAccess = PageAccess> {
  params?: P;
  /** What a path that fails `params` names in its 404 ("User not found."). */
  notFound?: string;
  query?: Q;
  /** The posted form (urlencoded or multipart, single values); only for POST. */
  form?: F;
  /** The flash shown when the form fails its schema, or the page answering it. */
  refused?: MessageKey | RefusedPage<A, P, Q>;
  /** Parse the form only when the handler calls `form()`, after its own checks. */
  deferForm?: D;
  /** Where a form goes back to (full path, e.g. `viewOf(c).href(…)`); default: this request's path. */
  back?: (c: Ctx, input: { params: Infer<P>; raw: Record<string, string> }) => string;
}

export type PageInput<A extends PageAccess, P, Q, F, D extends boolean = false> = PageViewer<A> & {
  params: Infer<P>;
  query: Infer<Q>;
  /** The parsed form; with `deferForm`, a call that parses it (a refusal answers the request). */
  form: D extends true ? () => Promise<Infer<F>> : Infer<F>;
  /** The form as posted (single values), e.g. to fill a form shown again after a domain refusal. */
  raw: () => Promise<Record<string, string>>;
  /** Flash `key` and 303 to `back` (the answer to every form post). */
  back: (key: MessageKey, kind?: Kind) => Response;
};

type Handler<A extends PageAccess, P, Q, F, D extends boolean = false> = (
  c: Ctx,
  input: PageInput<A, P, Q, F, D>,
) => Response | Promise<Response>;

/** Thrown by a deferred `form()` to end the handler with the refusal's answer; caught by the route. */
class FormRefused {
  constructor(readonly response: Response) {}
}

/** Fields whose bad value is a 400 rather than a refusal. */
const strictFields = new WeakSet<ZodType>();

/** Marks a form field (free text: a reason, a note) whose failure is hostile input: 400, never a flash. */
export function strict<S extends ZodType>(schema: S): S {
  strictFields.add(schema);
  return schema;
}

/** A single-line free-text form field (a reason, a note): missing is '', a bad value is a 400. */
export const textField = (max: number) => strict(SingleLineText(0, max).default(''));

/** A query field a page ignores when it is missing or bad (untrusted filters fall back to "all"). */
export const lenient = <S extends ZodType>(schema: S) => schema.optional().catch(undefined);

async function viewerFor(c: Ctx, access: PageAccess): Promise<Record<string, unknown> | Response> {
  if (access === 'public') return { user: c.get('auth')?.user ?? null };
  if (access === 'creator') return requireCreatorPage(c);
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  if (access === 'admin' && user.role !== 'ADMIN')
    throw forbidden('This page is for administrators.', 'FORBIDDEN_ROLE');
  return { user };
}

/** Whether a refused form is a 400: a `strict()` field failed, or the schema is not an object. */
function strictFailure(schema: ZodType, error: z.ZodError): boolean {
  if (!(schema instanceof z.ZodObject)) return true;
  const shape = schema.shape as Record<string, ZodType>;
  return error.issues.some((i) => {
    const field = shape[String(i.path[0])];
    return field !== undefined && strictFields.has(field);
  });
}

/** Registers a page on `app` (path relative to where `app` is mounted) behind `access` and the spec's schemas. */
export function pageRoute<
  A extends PageAccess,
  P extends ZodType | undefined,
  Q extends ZodType | undefined,
  F extends ZodType | undefined,
  D extends boolean = false,
>(
  app: Hono<AppEnv>,
  method: Method,
  path: string,
  access: A,
  spec: PageSpec<P, Q, F, D, A>,
  handler: Handler<A, P, Q, F, D>,
): void {
  app.on(method.toUpperCase(), path, async (c) => {
    const viewer = await viewerFor(c, access);
    if (viewer instanceof Response) return viewer;
    let params: unknown;
    if (spec.params) {
      const r = spec.params.safeParse(c.req.param());
      if (!r.success) throw notFound(spec.notFound);
      params = r.data;
    }
    let query: unknown;
    if (spec.query) {
      const r = spec.query.safeParse(c.req.query());
      if (!r.success) throw validationError(r.error, 'query');
      query = r.data;
    }
    // The body is read once, on first use: by the eager parse, `form()` or `raw()`.
    let body: Promise<Record<string, string>> | undefined;
    const raw = () => {
      body ??= method === 'post' ? readForm(c.req.raw) : Promise.resolve({});
      return body;
    };
    const backTo = async () =>
      spec.back ? spec.back(c, { params: params as Infer<P>, raw: spec.form ? await raw() : {} }) : c.req.path;
    const back = (key: MessageKey, kind: Kind = 'success', to = c.req.path) => {
      flash(c, key, kind);
      return c.redirect(to, 303);
    };
    const parse = async (): Promise<{ ok: true; data: unknown } | { ok: false; answer: Response }> => {
      const schema = spec.form as ZodType;
      const fields = await raw();
      const r = schema.safeParse(fields);
      if (r.success) return { ok: true, data: r.data };
      if (!spec.refused || strictFailure(schema, r.error)) throw validationError(r.error, 'form');
      if (typeof spec.refused === 'function')
        return {
          ok: false,
          answer: await spec.refused(c, { ...viewer, params, query, raw: fields, error: r.error } as FormRefusal<
            A,
            P,
            Q
          >),
        };
      return { ok: false, answer: back(spec.refused, 'error', await backTo()) };
    };
    let form: unknown;
    if (spec.form && spec.deferForm) {
      form = async () => {
        const r = await parse();
        if (!r.ok) throw new FormRefused(r.answer);
        return r.data;
      };
    } else if (spec.form) {
      const r = await parse();
      if (!r.ok) return r.answer;
      form = r.data;
    }
    // Where `back` goes is settled before the handler runs: it answers synchronously.
    const to = spec.back ? await backTo() : c.req.path;
    const input = { ...viewer, params, query, form, raw, back: (key: MessageKey, kind?: Kind) => back(key, kind, to) };
    try {
      return await handler(c, input as unknown as PageInput<A, P, Q, F, D>);
    } catch (e) {
      if (e instanceof FormRefused) return e.response;
      throw e;
    }
  });
}

/** A group of pages sharing one access (an area: `/:lang/admin`, `/:lang/creator`), mounted with `app.route(prefix, area.app)`. */
export function pageArea<A extends PageAccess>(access: A) {
  const app = new Hono<AppEnv>();
  return {
    app,
    get: <P extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined>(
      path: string,
      spec: Omit<PageSpec<P, Q, undefined>, 'form' | 'refused' | 'deferForm'>,
      handler: Handler<A, P, Q, undefined>,
    ) => pageRoute(app, 'get', path, access, spec, handler),
    post: <
      P extends ZodType | undefined = undefined,
      Q extends ZodType | undefined = undefined,
      F extends ZodType | undefined = undefined,
      D extends boolean = false,
    >(
      path: string,
      spec: PageSpec<P, Q, F, D, A>,
      handler: Handler<A, P, Q, F, D>,
    ) => pageRoute(app, 'post', path, access, spec, handler),
  };
}

/** What `pageArea(access)` returns, for files that add routes to an area they are given. */
export type PageArea<A extends PageAccess> = ReturnType<typeof pageArea<A>>;
