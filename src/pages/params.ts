/** The path schemas pages declare with `page-route`: one shape per kind of id in a URL. */
import { z } from 'zod';
import { IdParam } from '../shared/common';
import { lenient } from './page-route';

/** `:id` taken as given: the domain finds nothing for a malformed one and answers as for a missing one. */
export const AnyId = z.object({ id: z.string() });

/** `:id` of one kind (`bkg_…`): anything else is a 404 before any read. */
export const idOf = (prefix: string) => z.object({ id: IdParam(prefix) });

/** `?page=` of a paginated list, as given: the page reads it with its own bounds (pageParam). */
export const PageQuery = z.object({ page: lenient(z.string()) });
