import { computeDeployStats, percentile } from './deployStats';
import { makeDeploy } from '../../__testUtils__/fixtures';

describe('deployStats', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([7], 95)).toBe(7);
  });

  it('groups by day and ignores deploys without a duration', () => {
    const at = (
      day: number,
      seconds: number,
      status: 'succeeded' | 'failed' | 'running',
    ) => {
      const start = Date.UTC(2025, 0, day, 10);
      return makeDeploy({
        status,
        createdAt: new Date(start).toISOString(),
        startedAt: new Date(start).toISOString(),
        finishedAt:
          status === 'running'
            ? undefined
            : new Date(start + seconds * 1000).toISOString(),
      });
    };
    const stats = computeDeployStats([
      at(2, 30, 'failed'),
      at(1, 10, 'succeeded'),
      at(1, 20, 'succeeded'),
      at(2, 0, 'running'),
    ]);
    expect(stats.days.map(d => [d.day, d.deploys, d.p50, d.p95])).toEqual([
      ['2025-01-01', 2, 10_000, 20_000],
      ['2025-01-02', 2, 30_000, 30_000],
    ]);
    expect(stats.successRate).toBeCloseTo(2 / 3);
    expect(stats.p95).toBe(30_000);
  });

  it('counts lost deploys apart: neither in the success rate nor in the durations', () => {
    const start = Date.UTC(2025, 0, 3, 10);
    const deploy = (status: 'succeeded' | 'lost', seconds: number) =>
      makeDeploy({
        status,
        createdAt: new Date(start).toISOString(),
        startedAt: new Date(start).toISOString(),
        finishedAt: new Date(start + seconds * 1000).toISOString(),
      });
    const stats = computeDeployStats([
      deploy('succeeded', 10),
      deploy('lost', 900),
    ]);
    expect(stats.days).toEqual([
      expect.objectContaining({ deploys: 2, succeeded: 1, failed: 0, lost: 1 }),
    ]);
    expect(stats.successRate).toBe(1);
    expect(stats.p95).toBe(10_000);
  });

  it('counts deploys that never ran apart: rejected, expired or awaiting approval', () => {
    const start = Date.UTC(2025, 0, 4, 10);
    const deploy = (
      status:
        | 'succeeded'
        | 'failed'
        | 'rejected'
        | 'expired'
        | 'awaiting_approval',
    ) =>
      makeDeploy({
        status,
        createdAt: new Date(start).toISOString(),
        startedAt:
          status === 'succeeded' || status === 'failed'
            ? new Date(start).toISOString()
            : undefined,
        finishedAt:
          status === 'awaiting_approval'
            ? undefined
            : new Date(start + 20_000).toISOString(),
      });
    const stats = computeDeployStats([
      deploy('succeeded'),
      deploy('failed'),
      deploy('rejected'),
      deploy('expired'),
      deploy('awaiting_approval'),
    ]);
    expect(stats.days).toEqual([
      expect.objectContaining({
        deploys: 5,
        succeeded: 1,
        failed: 1,
        refused: 2,
      }),
    ]);
    expect(stats.successRate).toBe(0.5);
  });
});
