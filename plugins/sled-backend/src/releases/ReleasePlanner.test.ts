import {
  Deploy,
  DeployStatus,
  ReleaseMember,
} from '@internal/plugin-sled-common';
import { eventually } from '../__testUtils__/processes';
import { ReleaseMemberRunner, ReleasePlanner } from './ReleasePlanner';

const member = (entityRef: string, wave: number): ReleaseMember => ({
  entityRef,
  wave,
  artifactId: `artifact-${entityRef}`,
  artifactVersion: '1.0.0',
  status: 'pending',
});

/**
 * A runner whose deploys end when the test says so (or at once with the
 * outcome in `outcomes`), recording the order of events.
 */
function fakeRunner(
  outcomes: Record<string, DeployStatus> = {},
  options: { manual?: boolean } = {},
) {
  const events: string[] = [];
  const statuses = new Map<string, string>();
  const pending = new Map<string, (status: DeployStatus) => void>();
  let inFlight = 0;
  let maxInFlight = 0;
  const deploy = (ref: string, status: DeployStatus): Deploy =>
    ({ id: `deploy-${ref}`, entityRef: ref, status } as Deploy);
  const runner: ReleaseMemberRunner = {
    async start(m) {
      events.push(`start ${m.entityRef}`);
      if (outcomes[m.entityRef] === 'skipped')
        return deploy(m.entityRef, 'skipped');
      return deploy(m.entityRef, 'queued');
    },
    waitForEnd(deployId) {
      const ref = deployId.replace('deploy-', '');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise(resolve => {
        const end = (status: DeployStatus) => {
          inFlight--;
          events.push(`${status} ${ref}`);
          resolve(deploy(ref, status));
        };
        if (options.manual) pending.set(ref, end);
        else setTimeout(() => end(outcomes[ref] ?? 'succeeded'), 5);
      });
    },
    async cancel(deployId) {
      const ref = deployId.replace('deploy-', '');
      events.push(`cancel ${ref}`);
      pending.get(ref)?.('cancelled');
      pending.delete(ref);
    },
    async update(m, u) {
      statuses.set(m.entityRef, u.status);
    },
  };
  return {
    runner,
    events,
    statuses,
    pending,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('ReleasePlanner', () => {
  describe('waves', () => {
    it('keeps the listed waves in order and puts unlisted members in a last wave', () => {
      expect(
        ReleasePlanner.waves(['a', 'b', 'c', 'd'], [['c'], ['a', 'x']]),
      ).toEqual([['c'], ['a'], ['b', 'd']]);
    });
    it('releases everything in one wave when the group lists none', () => {
      expect(ReleasePlanner.waves(['a', 'b'])).toEqual([['a', 'b']]);
    });
  });

  it('runs waves in order: a wave starts only after the previous one ended', async () => {
    const fake = fakeRunner();
    const outcome = await new ReleasePlanner({ parallelism: 5 }).run(
      [member('db', 0), member('api', 1), member('web', 1)],
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome.status).toBe('succeeded');
    expect(fake.events.indexOf('succeeded db')).toBeLessThan(
      fake.events.indexOf('start api'),
    );
    expect(fake.events.indexOf('succeeded db')).toBeLessThan(
      fake.events.indexOf('start web'),
    );
    expect([...fake.statuses.values()]).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('never has more than `parallelism` member deploys in flight', async () => {
    const fake = fakeRunner();
    const members = Array.from({ length: 12 }, (_, i) => member(`svc-${i}`, 0));
    const outcome = await new ReleasePlanner({ parallelism: 3 }).run(
      members,
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome.status).toBe('succeeded');
    expect(fake.maxInFlight).toBe(3);
    expect(fake.events.filter(e => e.startsWith('start'))).toHaveLength(12);
  });

  it('counts a skipped member (already deployed) as done', async () => {
    const fake = fakeRunner({ a: 'skipped' });
    const outcome = await new ReleasePlanner({ parallelism: 2 }).run(
      [member('a', 0), member('b', 1)],
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome.status).toBe('succeeded');
    expect(fake.statuses.get('a')).toBe('skipped');
  });

  it('stops later waves when a member fails', async () => {
    const fake = fakeRunner({ api: 'failed' });
    const outcome = await new ReleasePlanner({ parallelism: 5 }).run(
      [
        member('db', 0),
        member('api', 1),
        member('worker', 1),
        member('web', 2),
        member('cdn', 2),
      ],
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome).toEqual({ status: 'failed', message: 'api failed' });
    expect(fake.statuses.get('api')).toBe('failed');
    expect(fake.statuses.get('worker')).toBe('succeeded'); // same wave, already in flight
    expect(fake.statuses.get('web')).toBe('not-started');
    expect(fake.statuses.get('cdn')).toBe('not-started');
    expect(fake.events).not.toContain('start web');
  });

  it('stops later waves when a member is lost (its Job vanished, its outcome unknown)', async () => {
    const fake = fakeRunner({ api: 'lost' });
    const outcome = await new ReleasePlanner({ parallelism: 5 }).run(
      [member('api', 0), member('web', 1)],
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome).toEqual({ status: 'failed', message: 'api lost' });
    expect(fake.statuses.get('api')).toBe('lost');
    expect(fake.statuses.get('web')).toBe('not-started');
    expect(fake.events).not.toContain('start web');
  });

  it('fails the release when a member cannot start, and starts nothing after it', async () => {
    const fake = fakeRunner();
    const start = fake.runner.start;
    fake.runner.start = async m => {
      if (m.entityRef === 'a') throw new Error('ledger is locked in local');
      return start(m);
    };
    const outcome = await new ReleasePlanner({ parallelism: 1 }).run(
      [member('a', 0), member('b', 0), member('c', 1)],
      fake.runner,
      new AbortController().signal,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/a could not start: ledger is locked/);
    expect(fake.statuses.get('b')).toBe('not-started');
    expect(fake.statuses.get('c')).toBe('not-started');
  });

  it('cancel cancels the deploys in flight and starts nothing more', async () => {
    const fake = fakeRunner({}, { manual: true });
    const abort = new AbortController();
    const run = new ReleasePlanner({ parallelism: 2 }).run(
      [member('a', 0), member('b', 0), member('c', 0), member('d', 1)],
      fake.runner,
      abort.signal,
    );
    // a and b run (parallelism 2); when a ends, c starts in its slot
    await eventually(() => expect(fake.pending.has('a')).toBe(true));
    fake.pending.get('a')!('succeeded');
    fake.pending.delete('a');
    await eventually(() => expect(fake.pending.has('c')).toBe(true));
    abort.abort();
    const outcome = await run;
    expect(outcome.status).toBe('cancelled');
    expect(fake.events).toEqual(
      expect.arrayContaining([
        'cancel b',
        'cancel c',
        'cancelled b',
        'cancelled c',
      ]),
    );
    expect(fake.events).not.toContain('cancel a');
    expect(fake.statuses.get('a')).toBe('succeeded');
    expect(fake.statuses.get('d')).toBe('not-started');
    expect(fake.events).not.toContain('start d');
  });
});
