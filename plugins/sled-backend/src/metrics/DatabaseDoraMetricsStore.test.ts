import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DoraFigures } from '@internal/plugin-sled-common';
import { createDeployStores } from '../database/createDeployStores';
import { DatabaseDoraMetricsStore } from './DatabaseDoraMetricsStore';
import {
  A,
  B,
  CURRENT,
  insertDoraLedger,
  PREVIOUS,
  TEAM_A,
  TEAM_B,
} from './__testUtils__/doraLedger';

jest.setTimeout(60_000);

const HOUR_MS = 60 * 60 * 1000;
const within = { rollbackWithinMs: HOUR_MS };

/** figures worked out by hand from the ledger of __testUtils__/doraLedger.ts */
function figures(
  window: { from: Date; to: Date },
  f: Omit<
    DoraFigures,
    'from' | 'to' | 'deploymentsPerDay' | 'changeFailureRate'
  >,
): DoraFigures {
  const days = (window.to.getTime() - window.from.getTime()) / 86_400_000;
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    ...f,
    deploymentsPerDay: Math.round((f.deployments / days) * 1000) / 1000,
    ...(f.changes
      ? {
          changeFailureRate: Math.round((f.failures / f.changes) * 1000) / 1000,
        }
      : {}),
  };
}

const mean = (...xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const MIN = 60;
const H = 60 * MIN;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'DatabaseDoraMetricsStore on %p',
  id => {
    let metrics: DatabaseDoraMetricsStore;

    beforeAll(async () => {
      const knex = await databases.init(id);
      const database = mockServices.database({ knex });
      await createDeployStores({ database });
      await insertDoraLedger(knex);
      metrics = await DatabaseDoraMetricsStore.create({ database });
    });

    it('counts every readable service in production, this window and the one before', async () => {
      const [current, previous] = await metrics.figures(
        { environment: 'production' },
        [CURRENT, PREVIOUS],
        within,
      );
      // changes: A d2 d4 d5 d6 d8 d10 d14, B d11 d16, C d21 d22 (rollbacks,
      // the dry run, the cancelled and the rejected deploy are none)
      // failures: d4 failed, d16 lost, d2 named by a rollback, d10 and d11 in
      // the release a release rolled back, d8 followed by a rollback in 30 min
      // lead: d2 10h30, d5 10h40, d10 28h20 (merged at +01:00), d11 10h20,
      // d22 24h (d6, d14 and d21 are no first success; a3 has no merge time)
      // restore: d8→d9 35 min, d4→d5 80 min, d2→d3 95 min, d10→d12 and
      // d11→d13 3h50 each; d16 is never restored
      expect(current).toEqual(
        figures(CURRENT, {
          changes: 11,
          deployments: 9,
          failures: 6,
          leadTime: {
            count: 5,
            medianSeconds: 10 * H + 40 * MIN,
            meanSeconds: mean(
              10.5 * H,
              10 * H + 40 * MIN,
              28 * H + 20 * MIN,
              10 * H + 20 * MIN,
              24 * H,
            ),
          },
          timeToRestore: {
            count: 5,
            medianSeconds: 95 * MIN,
            meanSeconds: mean(
              35 * MIN,
              80 * MIN,
              95 * MIN,
              230 * MIN,
              230 * MIN,
            ),
          },
        }),
      );
      // d1 succeeded 12h10 after its merge; d19 failed and was restored by d11
      // five days and ten minutes later, in the next window
      expect(previous).toEqual(
        figures(PREVIOUS, {
          changes: 2,
          deployments: 1,
          failures: 1,
          leadTime: {
            count: 1,
            medianSeconds: 12 * H + 10 * MIN,
            meanSeconds: 12 * H + 10 * MIN,
          },
          timeToRestore: {
            count: 1,
            medianSeconds: 5 * 24 * H + 10 * MIN,
            meanSeconds: 5 * 24 * H + 10 * MIN,
          },
        }),
      );
    });

    it('counts every environment when none is given', async () => {
      const [current] = await metrics.figures({}, [CURRENT], within);
      // staging's d23 adds a change and a lead time of 9h05
      expect(current).toEqual(
        figures(CURRENT, {
          changes: 12,
          deployments: 10,
          failures: 6,
          leadTime: {
            count: 6,
            medianSeconds: mean(10.5 * H, 10 * H + 40 * MIN),
            meanSeconds: mean(
              9 * H + 5 * MIN,
              10.5 * H,
              10 * H + 40 * MIN,
              28 * H + 20 * MIN,
              10 * H + 20 * MIN,
              24 * H,
            ),
          },
          timeToRestore: {
            count: 5,
            medianSeconds: 95 * MIN,
            meanSeconds: mean(
              35 * MIN,
              80 * MIN,
              95 * MIN,
              230 * MIN,
              230 * MIN,
            ),
          },
        }),
      );
    });

    const serviceA = figures(CURRENT, {
      changes: 7,
      deployments: 6,
      failures: 4,
      leadTime: {
        count: 3,
        medianSeconds: 10 * H + 40 * MIN,
        meanSeconds: mean(10.5 * H, 10 * H + 40 * MIN, 28 * H + 20 * MIN),
      },
      timeToRestore: {
        count: 4,
        medianSeconds: mean(80 * MIN, 95 * MIN),
        meanSeconds: mean(35 * MIN, 80 * MIN, 95 * MIN, 230 * MIN),
      },
    });

    it('counts one service', async () => {
      const [current] = await metrics.figures(
        { entityRefs: [A], environment: 'production' },
        [CURRENT],
        within,
      );
      expect(current).toEqual(serviceA);
    });

    it('counts the members of a deploy group', async () => {
      const [current] = await metrics.figures(
        { entityRefs: [A, B], environment: 'production' },
        [CURRENT],
        within,
      );
      expect(current).toEqual(
        figures(CURRENT, {
          changes: 9,
          deployments: 7,
          failures: 6,
          leadTime: {
            count: 4,
            medianSeconds: mean(10.5 * H, 10 * H + 40 * MIN),
            meanSeconds: mean(
              10.5 * H,
              10 * H + 40 * MIN,
              28 * H + 20 * MIN,
              10 * H + 20 * MIN,
            ),
          },
          timeToRestore: {
            count: 5,
            medianSeconds: 95 * MIN,
            meanSeconds: mean(
              35 * MIN,
              80 * MIN,
              95 * MIN,
              230 * MIN,
              230 * MIN,
            ),
          },
        }),
      );
    });

    it('counts the services of an owner', async () => {
      const [current] = await metrics.figures(
        { ownerRef: TEAM_B, environment: 'production' },
        [CURRENT],
        within,
      );
      expect(current).toEqual(
        figures(CURRENT, {
          changes: 4,
          deployments: 3,
          failures: 2,
          leadTime: {
            count: 2,
            medianSeconds: mean(10 * H + 20 * MIN, 24 * H),
            meanSeconds: mean(10 * H + 20 * MIN, 24 * H),
          },
          timeToRestore: {
            count: 1,
            medianSeconds: 230 * MIN,
            meanSeconds: 230 * MIN,
          },
        }),
      );
    });

    it('counts only what the read filter lets through', async () => {
      const [current] = await metrics.figures(
        {
          environment: 'production',
          filter: { column: 'owner_ref', values: [TEAM_A] },
        },
        [CURRENT],
        within,
      );
      expect(current).toEqual(serviceA);
      const [none] = await metrics.figures(
        { filter: { column: 'environment', values: ['qa'] } },
        [CURRENT],
        within,
      );
      expect(none).toEqual(
        figures(CURRENT, {
          changes: 0,
          deployments: 0,
          failures: 0,
          leadTime: { count: 0 },
          timeToRestore: { count: 0 },
        }),
      );
    });

    it('counts a success followed by a rollback within rollbackWithin as failed', async () => {
      // d14 was followed by a rollback after 90 minutes
      const [oneHour] = await metrics.figures(
        { entityRefs: [A], environment: 'production' },
        [CURRENT],
        within,
      );
      const [twoHours] = await metrics.figures(
        { entityRefs: [A], environment: 'production' },
        [CURRENT],
        { rollbackWithinMs: 2 * HOUR_MS },
      );
      expect(oneHour.failures).toBe(4);
      expect(twoHours.failures).toBe(5);
      // d14→d15: 100 minutes to restore
      expect(twoHours.timeToRestore).toEqual({
        count: 5,
        medianSeconds: 95 * MIN,
        meanSeconds: mean(35 * MIN, 80 * MIN, 95 * MIN, 100 * MIN, 230 * MIN),
      });
    });
  },
);
