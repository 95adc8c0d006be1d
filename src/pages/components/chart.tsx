/** A server-rendered SVG bar chart (no chart framework): bars, a zero line, sparse labels, and the same data as a table for screen readers. */
import type { Locale } from '../../shared/enums';

export interface BarDatum {
  label: string;
  value: number;
  title: string;
}

export function BarChart({
  data,
  title,
  format,
  emptyText,
}: {
  data: BarDatum[];
  title: string;
  format: (v: number) => string;
  emptyText: string;
  locale?: Locale;
}) {
  const W = 720;
  const H = 220;
  const pad = { top: 16, right: 8, bottom: 28, left: 8 };
  const max = Math.max(0, ...data.map((d) => d.value));
  const min = Math.min(0, ...data.map((d) => d.value));
  const span = max - min || 1;
  const plotH = H - pad.top - pad.bottom;
  const y = (v: number) => pad.top + ((max - v) / span) * plotH;
  const step = (W - pad.left - pad.right) / Math.max(1, data.length);
  const bar = Math.max(2, step * 0.7);
  const every = Math.ceil(data.length / 8);
  const empty = data.every((d) => d.value === 0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        <line x1={pad.left} x2={W - pad.right} y1={y(max)} y2={y(max)} class="grid" />
        <line x1={pad.left} x2={W - pad.right} y1={y(0)} y2={y(0)} class="axis" />
        {data.map((d, i) => {
          const x = pad.left + i * step + (step - bar) / 2;
          const top = Math.min(y(d.value), y(0));
          return (
            <g>
              <rect
                x={x}
                y={top}
                width={bar}
                height={Math.max(d.value === 0 ? 0 : 1, Math.abs(y(d.value) - y(0)))}
                class={d.value < 0 ? 'neg' : 'pos'}
                data-value={d.value}
              >
                <title>
                  {d.title}: {format(d.value)}
                </title>
              </rect>
              {i % every === 0 ? (
                <text x={x + bar / 2} y={H - 8} text-anchor="middle">
                  {d.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {max > 0 ? (
          <text x={W - pad.right} y={y(max) - 4} text-anchor="end" class="max">
            {format(max)}
          </text>
        ) : null}
      </svg>
      {empty ? <figcaption class="muted">{emptyText}</figcaption> : null}
      <table class="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr>
              <th scope="row">{d.title}</th>
              <td>{format(d.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
