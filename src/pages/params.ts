/** The path schemas pages declare with `page-route`: one shape per kind of id in a URL. */
import { z } from 'zod';
import { IdParam } from '../shared/common';

/** `:id` taken as given: the domain finds nothing for a malformed one and answers as for a missing one. */
export const AnyId = z.object({ id: z.string() });

/** `:id` of one kind (`bkg_…`): anything else is a 404 before any read. */
export const idOf = (prefix: string) => z.object({ id: IdParam(prefix) });
