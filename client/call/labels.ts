/** The call page's messages: `L(key, params)` fills `{name}` placeholders; a missing key reads as empty. */
export type Labeler = (key: string, params?: Record<string, string>) => string;

function fill(s: string | undefined, params: Record<string, string> = {}): string {
  return (s ?? '').replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);
}

/** A labeler over the island's `labels` prop. */
export const labeler =
  (labels: Record<string, string>): Labeler =>
  (key, params) =>
    fill(labels[key], params);
