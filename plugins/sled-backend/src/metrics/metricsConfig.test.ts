import { ConfigReader } from '@backstage/config';
import { readMetricsConfig } from './metricsConfig';

describe('readMetricsConfig', () => {
  it('reads sled.metrics.rollbackWithin, 1 hour by default', () => {
    expect(readMetricsConfig(new ConfigReader({}))).toEqual({
      rollbackWithinMs: 3_600_000,
    });
    expect(
      readMetricsConfig(
        new ConfigReader({ sled: { metrics: { rollbackWithin: '30m' } } }),
      ),
    ).toEqual({ rollbackWithinMs: 1_800_000 });
    expect(
      readMetricsConfig(
        new ConfigReader({
          sled: { metrics: { rollbackWithin: { hours: 2 } } },
        }),
      ),
    ).toEqual({ rollbackWithinMs: 7_200_000 });
  });

  it('refuses a value that is no positive duration, naming the key', () => {
    for (const rollbackWithin of ['soon', '0s']) {
      expect(() =>
        readMetricsConfig(
          new ConfigReader({ sled: { metrics: { rollbackWithin } } }),
        ),
      ).toThrow(/Invalid config at sled\.metrics\.rollbackWithin/);
    }
  });
});
