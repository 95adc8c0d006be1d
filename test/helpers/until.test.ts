import { describe, expect, it } from 'vitest';
import { until } from './until';

describe('until', () => {
  it('returns the first truthy value of the condition, sync or async', async () => {
    let n = 0;
    expect(await until(() => ++n >= 3 && n)).toBe(3);
    expect(await until(async () => 'ready')).toBe('ready');
  });

  it('throws, naming what was awaited, when the condition never holds in time', async () => {
    let checks = 0;
    await expect(until(() => ++checks < 0, { timeout: 50, interval: 5, what: 'nothing' })).rejects.toThrow(
      'until: nothing did not hold within 50 ms',
    );
    expect(checks).toBeGreaterThan(1);
  });
});
