import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  CI,
  recordingAuditor,
  serviceEntity,
  snapshotTables,
  startSledBackend,
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';

describe('release gates through the API', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let knex: Knex;
  let cleanup = () => {};
  let audit: ReturnType<typeof recordingAuditor>;

  beforeEach(async () => {
    const temp = makeTempDir('sled-gates-');
    cleanup = temp.cleanup;
    writeScript(
      temp.dir,
      'deploy.sh',
      'echo "deployed $SLED_ARTIFACT_VERSION"',
    );
    knex = await databases.init('SQLITE_3');
    audit = recordingAuditor();
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('payments', temp.dir)],
      sled: {
        environments: [
          { name: 'staging', executor: 'local' },
          {
            name: 'production',
            executor: 'local',
            requireReason: true,
            promotion: { from: 'staging', soak: '30m' },
          },
          {
            name: 'frozen',
            executor: 'local',
            // opens every minute for two: always frozen
            windows: [
              {
                kind: 'deny',
                schedule: '* * * * *',
                duration: '2m',
                timezone: 'Europe/London',
                reason: 'change freeze',
              },
            ],
          },
        ],
      },
      features: [audit.factory],
    });
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    cleanup();
  });

  const api = () => request(backend!.server);

  async function artifact(version = '1.4.2') {
    const res = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version, commitSha: 'abcdef1' });
    return res.body.id as string;
  }

  const deploy = (body: object) =>
    api()
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({ entityRef: SVC, ...body });

  it('refuses a promotion before its soak with the gate, the target and when it may go, writing nothing', async () => {
    const id = await artifact();
    const staged = await deploy({ environment: 'staging', artifactId: id });
    expect((await waitForEnd(backend!, staged.body.id)).status).toBe(
      'succeeded',
    );

    const before = await snapshotTables(knex);
    const res = await deploy({
      environment: 'production',
      artifactId: id,
      reason: 'wallets',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /^Refused by the promotion gate of production for component:default\/payments: 1\.4\.2 has soaked 0 of 30 minutes in staging; it may go to production at \d\d:\d\d UTC \(someone with sled\.gate\.override may deploy past it, giving a reason\)$/,
    );
    expect(await snapshotTables(knex)).toEqual(before);

    const gates = await api()
      .get(
        `/api/sled/gates?entityRef=${SVC}&environment=production&artifactId=${id}`,
      )
      .set('Authorization', USER);
    expect(gates.status).toBe(200);
    expect(gates.body).toMatchObject({
      allowed: false,
      canOverride: true,
      gates: [{ name: 'promotion', passed: false, overridable: true }],
    });
    const opensAt = Date.parse(gates.body.gates[0].opensAt);
    expect(opensAt - Date.now()).toBeGreaterThan(25 * 60_000);
  });

  it('deploys past a refusing gate with sled.gate.override and a reason, audited at high severity', async () => {
    const id = await artifact();
    const noReason = await deploy({
      environment: 'frozen',
      artifactId: id,
      overrideGates: true,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toBe(
      'reason: overriding the gates of frozen needs a reason',
    );

    const res = await deploy({
      environment: 'frozen',
      artifactId: id,
      overrideGates: true,
      reason: 'incident 4711',
    });
    expect(res.status).toBe(202);
    expect(res.body.gatesOverridden).toBe(true);
    // the start does not refuse it either: the override holds until it runs
    expect((await waitForEnd(backend!, res.body.id)).status).toBe('succeeded');
    expect(
      audit.events.filter(
        e => e.eventId === 'deploy-create' && e.outcome === 'success',
      ),
    ).toEqual([
      expect.objectContaining({
        severityLevel: 'high',
        meta: expect.objectContaining({
          environment: 'frozen',
          overrideGates: true,
          gatesOverridden: true,
        }),
      }),
    ]);
  });

  it('refuses a deploy inside a deny window, naming the window', async () => {
    const id = await artifact();
    const res = await deploy({ environment: 'frozen', artifactId: id });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /^Refused by the window gate of frozen for component:default\/payments: frozen: Frozen until \w{3} \d\d:\d\d GMT — change freeze/,
    );
    const environments = await api()
      .get('/api/sled/environments')
      .set('Authorization', USER);
    expect(
      environments.body.find((e: any) => e.name === 'frozen'),
    ).toMatchObject({
      window: { open: false },
      gates: {
        windows: [
          {
            kind: 'deny',
            schedule: '* * * * *',
            durationMinutes: 2,
            reason: 'change freeze',
          },
        ],
      },
    });
  });

  it('does not hold a dry run to promotion or windows', async () => {
    const id = await artifact();
    const res = await deploy({
      environment: 'frozen',
      artifactId: id,
      dryRun: true,
    });
    expect(res.status).toBe(202);
    expect((await waitForEnd(backend!, res.body.id)).status).toBe('succeeded');
  });
});
