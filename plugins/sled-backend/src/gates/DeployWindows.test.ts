import { DeployWindows } from './DeployWindows';

const H = 60 * 60 * 1000;

/** London's weekend freeze and working-day allow window of the gates issue. */
const london = () =>
  new DeployWindows([
    {
      kind: 'deny',
      schedule: '0 18 * * 5',
      durationMs: 62 * H,
      timezone: 'Europe/London',
      reason: 'weekend freeze',
    },
    {
      kind: 'allow',
      schedule: '0 8 * * 1-5',
      durationMs: 10 * H,
      timezone: 'Europe/London',
    },
  ]);

describe('DeployWindows', () => {
  it('opens an allow window at its local time, in summer time and in winter time', () => {
    const windows = london();
    // 08:30 BST (UTC+1) on Thursday 22 October 2026
    expect(windows.stateAt(new Date('2026-10-22T07:30:00Z'))).toMatchObject({
      open: true,
      message: 'Deploys allowed 08:00–18:00',
      changesAt: '2026-10-22T17:00:00.000Z',
    });
    // 07:30 BST: before the window
    expect(windows.stateAt(new Date('2026-10-22T06:30:00Z'))).toMatchObject({
      open: false,
      message: 'Outside the deploy windows: deploys open Thu 08:00 GMT+1',
      opensAt: new Date('2026-10-22T07:00:00Z'),
    });
    // 08:30 GMT on Thursday 29 October, after the clocks went back
    expect(windows.stateAt(new Date('2026-10-29T08:30:00Z')).open).toBe(true);
    expect(windows.stateAt(new Date('2026-10-29T07:30:00Z')).open).toBe(false);
  });

  it('freezes from Friday 18:00 to Monday 08:00 local time across the change to winter time, and deny wins over allow', () => {
    const windows = london();
    // Friday 23 October 17:30 BST: inside the allow window, before the freeze
    expect(windows.stateAt(new Date('2026-10-23T16:30:00Z')).open).toBe(true);
    // Friday 18:00 BST (17:00 UTC): frozen, though the allow window still runs
    const frozen = windows.stateAt(new Date('2026-10-23T17:00:00Z'));
    expect(frozen).toMatchObject({
      open: false,
      // the clocks went back on Sunday: Monday 08:00 is 08:00 UTC, 63 h later
      message: 'Frozen until Mon 08:00 GMT — weekend freeze',
      changesAt: '2026-10-26T08:00:00.000Z',
      opensAt: new Date('2026-10-26T08:00:00Z'),
    });
    expect(windows.stateAt(new Date('2026-10-26T07:59:00Z')).open).toBe(false);
    expect(windows.stateAt(new Date('2026-10-26T08:00:00Z'))).toMatchObject({
      open: true,
      message: 'Deploys allowed 08:00–18:00',
    });
  });

  it('answers the same from its cache as when it computes, inside and across a boundary', () => {
    const cached = london();
    const instants = [
      '2026-10-23T16:59:00Z',
      '2026-10-23T17:00:00Z',
      '2026-10-24T03:00:00Z',
      '2026-10-26T07:59:59Z',
      '2026-10-26T08:00:00Z',
      '2026-10-26T12:00:00Z',
    ];
    for (const at of instants) {
      expect(cached.stateAt(new Date(at))).toEqual(
        london().stateAt(new Date(at)),
      );
    }
  });

  it('with only deny windows, is open outside them', () => {
    const windows = new DeployWindows([
      {
        kind: 'deny',
        schedule: '0 0 24 12 *',
        durationMs: 48 * H,
        timezone: 'UTC',
        reason: 'holidays',
      },
    ]);
    expect(windows.stateAt(new Date('2026-12-23T12:00:00Z')).open).toBe(true);
    expect(windows.stateAt(new Date('2026-12-25T12:00:00Z'))).toMatchObject({
      open: false,
      message: 'Frozen until Sat 00:00 UTC — holidays',
    });
  });
});
