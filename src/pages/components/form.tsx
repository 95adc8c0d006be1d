/** Form building blocks for server-rendered pages, with localized validation messages. */
import type { ComponentChildren } from 'preact';
import type { ZodError } from 'zod';
import { validationError } from '../../http/errors';
import type { T } from '../../i18n';
import { SingleLineText } from '../../shared/common';

export type FieldErrors = Record<string, string>;

/** Maps zod issues to one localized message per field. */
export function localizeIssues(t: T, err: ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of err.issues) {
    const field = String(issue.path[0] ?? '_');
    if (out[field]) continue;
    const i = issue as unknown as {
      code: string;
      minimum?: number | bigint;
      maximum?: number | bigint;
      format?: string;
      origin?: string;
      message: string;
      input?: unknown;
    };
    if (i.code === 'too_small' && i.origin === 'string')
      out[field] = i.minimum === 1 ? t('form.errors.required') : t('form.errors.tooShort', { min: Number(i.minimum) });
    else if (i.code === 'too_big' && i.origin === 'string')
      out[field] = t('form.errors.tooLong', { max: Number(i.maximum) });
    else if (i.code === 'too_small' || i.code === 'too_big') out[field] = t('form.errors.outOfRange');
    else if (i.code === 'invalid_format' && i.format === 'email') out[field] = t('form.errors.email');
    else if (i.code === 'invalid_type' && i.input === undefined) out[field] = t('form.errors.required');
    else if (i.message.includes('too common')) out[field] = t('form.errors.passwordCommon');
    else if (i.message.includes('too simple')) out[field] = t('form.errors.passwordSimple');
    else if (i.message.includes('time zone')) out[field] = t('form.errors.timezone');
    else if (i.message.includes('single line')) out[field] = t('form.errors.singleLine');
    else out[field] = t('form.errors.invalid');
  }
  return out;
}

export function Field(props: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  children?: ComponentChildren;
  attrs?: Record<string, string | number | boolean>;
}) {
  const id = `f-${props.name}`;
  const describedBy =
    [props.error ? `${id}-err` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children ?? (
        <input
          id={id}
          name={props.name}
          type={(props.type ?? 'text') as 'text'}
          value={props.value ?? ''}
          required={props.required}
          autocomplete={props.autocomplete}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy}
          {...(props.attrs ?? {})}
        />
      )}
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={`${id}-err`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <div class="notice error" role="alert">
      {message}
    </div>
  ) : null;
}

/** Reads an urlencoded/multipart form into a plain object (single values). */
export async function readForm(req: Request): Promise<Record<string, string>> {
  const form = await req.formData();
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A single-line form value read outside a schema (a reason, a note, an answer): trimmed and checked
 * like the API's; a control character or line break is a 400, never stored.
 */
export function singleLine(value: string | undefined, max: number): string {
  const r = SingleLineText(0, max).safeParse(value ?? '');
  if (!r.success) throw validationError(r.error, 'form');
  return r.data;
}
