/** Building blocks shared by the admin dashboards: query filters, filter inputs, key figures, before/after changes. */
import type { ComponentChildren } from 'preact';
import type { Ctx } from '../../http/context';
import { z } from 'zod';
import { localDate } from '../../lib/tz';
import { IdParam } from '../../shared/common';
import { LocalDate } from '../../shared/availability';
import { pageParam } from '../components/ui';
import { lenient } from '../page-route';

/** A query string from the non-empty params. */
export const qs = (params: Record<string, string | number | undefined | null>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/*
 * Query filters for the admin lists: a missing or bad value means "all" (URLs are shared and
 * untrusted), so each one is lenient and a filter never answers 400.
 */

/** One of `list`, or undefined. */
export const enumFilter = <const T extends readonly [string, ...string[]]>(list: T) => lenient(z.enum(list));

/** A prefixed id (`bkg_…`, `usr_…`), or undefined. */
export const idFilter = (prefix: string) => lenient(IdParam(prefix));

/** A YYYY-MM-DD day, or undefined. */
export const dayFilter = lenient(LocalDate);

/** A 1-based page number, clamped; anything else is page 1. */
export const pageFilter = z
  .string()
  .optional()
  .catch(undefined)
  .transform((v) => pageParam(v));

/** Free text searched for (trimmed, at most `max` characters), or undefined when empty. */
export const searchFilter = (max = Number.POSITIVE_INFINITY) =>
  z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => (v ?? '').trim().slice(0, max) || undefined);

export const todayIn = (c: Ctx) => localDate(c.get('deps').clock.now(), c.get('timezone'));

/** A key figure linking to the page that explains it. */
export function Kpi({
  name,
  label,
  href,
  value,
  tone,
  children,
}: {
  name: string;
  label: string;
  href: string;
  value: string | number;
  tone?: 'danger' | 'warning' | 'success' | '';
  children?: ComponentChildren;
}) {
  return (
    <li class={`kpi card ${tone ? `tone-${tone}` : ''}`} data-kpi={name} data-value={String(value)}>
      <a href={href}>
        <span class="kpi-label">{label}</span>
        <strong class="kpi-value">{value}</strong>
        {children ? <span class="kpi-detail">{children}</span> : null}
      </a>
    </li>
  );
}

/** Label + select with an "all" first option. */
export function SelectFilter({
  id,
  name,
  label,
  all,
  value,
  options,
}: {
  id: string;
  name: string;
  label: string;
  all: string;
  value: string | undefined;
  options: { value: string; label: string }[];
}) {
  return (
    <>
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}

/** "from" and "to" day inputs (both days included, read in the admin's zone). */
export function DateRange({ from, to, labels }: { from?: string; to?: string; labels: { from: string; to: string } }) {
  return (
    <>
      <label for="f-from">{labels.from}</label>
      <input id="f-from" name="from" type="date" value={from ?? ''} />
      <label for="f-to">{labels.to}</label>
      <input id="f-to" name="to" type="date" value={to ?? ''} />
    </>
  );
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

/** What an audited write changed: `key: before → after` for each differing key (or the whole values when not objects). */
export function changes(before: unknown, after: unknown): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(before) || isObj(after)) {
    const b = isObj(before) ? before : {};
    const a = isObj(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
      (k) => k !== 'updatedAt' && JSON.stringify(b[k]) !== JSON.stringify(a[k]),
    );
    return keys.map((k) => `${k}: ${show(b[k])} → ${show(a[k])}`);
  }
  if (before === null && after === null) return [];
  return [`${show(before)} → ${show(after)}`];
}

/** A small yes/no badge. */
export const YesNo = ({ yes, labels }: { yes: boolean; labels: { yes: string; no: string } }) => (
  <span class={`badge ${yes ? 'success' : 'danger'}`}>{yes ? labels.yes : labels.no}</span>
);
