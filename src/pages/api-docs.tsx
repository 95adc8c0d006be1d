/** A readable API reference, rendered from the same registry as /api/openapi.json. */
import { z } from 'zod';
import { registry } from '../http/route';
import { pageArea } from './page-route';
import { page, viewOf } from './render';

const area = pageArea('public');
export const apiDocsPages = area.app;

const schemaText = (s: z.ZodType, io: 'input' | 'output') =>
  JSON.stringify(z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }), null, 2);

area.get('/:lang{fr|en}/docs/api', {}, (c) => {
  const { t } = viewOf(c);
  const byTag = new Map<string, (typeof registry extends Map<string, infer V> ? V : never)[]>();
  for (const spec of registry.values()) {
    const tag = spec.tags[0] ?? 'Other';
    byTag.set(tag, [...(byTag.get(tag) ?? []), spec]);
  }
  const accessLabel = (a: unknown) =>
    a === 'public' ? t('apiDocs.public') : a === 'user' ? t('apiDocs.signedIn') : (a as string[]).join(' / ');
  return page(c, {
    title: t('apiDocs.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('apiDocs.title')}</h1>
        <p class="lead">
          {t('apiDocs.intro')} <a href="/api/openapi.json">/api/openapi.json</a>
        </p>
        <ul class="api-conventions">
          <li>{t('apiDocs.money')}</li>
          <li>{t('apiDocs.time')}</li>
          <li>{t('apiDocs.auth')}</li>
          <li>{t('apiDocs.errors')}</li>
        </ul>
        <nav class="toc" aria-label={t('apiDocs.toc')}>
          {[...byTag.keys()].sort().map((tag) => (
            <a href={`#tag-${tag}`}>{tag}</a>
          ))}
        </nav>
        {[...byTag.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([tag, specs]) => (
            <section id={`tag-${tag}`} class="api-tag">
              <h2>{tag}</h2>
              {specs
                .sort((a, b) => a.path.localeCompare(b.path))
                .map((s) => (
                  <article class="api-route card">
                    <h3>
                      <span class={`method m-${s.method}`}>{s.method.toUpperCase()}</span> <code>{s.path}</code>
                    </h3>
                    <p>{s.summary}</p>
                    <p class="muted">
                      {t('apiDocs.access')}: {accessLabel(s.access)}
                    </p>
                    {s.query ? (
                      <details>
                        <summary>{t('apiDocs.query')}</summary>
                        <pre>{schemaText(s.query, 'input')}</pre>
                      </details>
                    ) : null}
                    {s.body ? (
                      <details>
                        <summary>{t('apiDocs.body')}</summary>
                        <pre>{schemaText(s.body, 'input')}</pre>
                      </details>
                    ) : null}
                    <ul class="responses">
                      {Object.entries(s.responses).map(([code, r]) => (
                        <li>
                          <strong>{code}</strong> {r.description}
                          {r.schema ? (
                            <details>
                              <summary>{t('apiDocs.schema')}</summary>
                              <pre>{schemaText(r.schema, 'output')}</pre>
                            </details>
                          ) : null}
                        </li>
                      ))}
                    </ul>
                  </article>
                ))}
            </section>
          ))}
      </>
    ),
  });
});
