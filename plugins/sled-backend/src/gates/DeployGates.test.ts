import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Artifact } from '@internal/plugin-sled-common';
import { EnvironmentConfig } from '@internal/plugin-sled-node';
import { DeployChecks } from '../checks/DeployChecks';
import { createDeployStores } from '../database/createDeployStores';
import { DeployStores } from '../database/DeployStore';
import { DeployGates, GateRequest, refusalMessage } from './DeployGates';
import { EnvironmentGatesConfig } from './gatesConfig';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';
const MIN = 60_000;
/** the fixed clock of every test: a Tuesday, 14:00 UTC */
const NOW = new Date('2026-12-08T14:00:00.000Z');

const staging: EnvironmentConfig = {
  name: 'staging',
  executor: 'local',
  requireReason: false,
  checks: [],
};
const production: EnvironmentConfig = {
  name: 'production',
  executor: 'local',
  requireReason: true,
  checks: [],
};

const gatesConfig = new Map<string, EnvironmentGatesConfig>([
  ['staging', { windows: [] }],
  [
    'production',
    { promotion: { from: 'staging', soakMs: 30 * MIN }, windows: [] },
  ],
]);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('DeployGates on %p', id => {
  let stores: DeployStores;
  let gates: DeployGates;
  let artifacts: Record<string, Artifact>;

  beforeEach(async () => {
    const knex = await databases.init(id);
    stores = await createDeployStores({
      database: mockServices.database({ knex }),
    });
    gates = new DeployGates({
      config: gatesConfig,
      promotions: stores.promotions,
      checks: new DeployChecks(),
      now: () => NOW,
    });
    artifacts = {};
    // registered in version order: 1.4.1 before 1.4.2 before 1.4.3
    for (const version of ['1.4.1', '1.4.2', '1.4.3']) {
      artifacts[version] = (
        await stores.artifacts.registerArtifact({
          entityRef: SVC,
          version,
          commitSha: 'abcdef1',
        })
      ).artifact;
    }
  });

  /** A deploy of `version` to `environment` that ended `minutesAgo` before NOW. */
  async function past(
    version: string,
    environment: string,
    status: 'succeeded' | 'failed',
    minutesAgo: number,
  ) {
    const finishedAt = new Date(NOW.getTime() - minutesAgo * MIN);
    return stores.queue.recordPastDeploy({
      entityRef: SVC,
      environment,
      artifact: artifacts[version],
      status,
      requestedBy: 'user:default/alice',
      launch: { command: ['./deploy.sh'] },
      createdAt: new Date(finishedAt.getTime() - MIN),
      finishedAt,
      log: 'ok\n',
    });
  }

  const toProduction = (
    version: string,
    extra: Partial<GateRequest> = {},
  ): GateRequest => ({
    phase: 'queue',
    entityRef: SVC,
    environment: production,
    artifact: artifacts[version],
    requestedBy: 'user:default/alice',
    dryRun: false,
    force: false,
    ...extra,
  });

  const promotionGate = async (version: string, extra = {}) =>
    (await gates.evaluate(toProduction(version, extra))).gates.find(
      g => g.name === 'promotion',
    )!;

  it('refuses an artifact that never ran in the environment it is promoted from', async () => {
    await past('1.4.2', 'development', 'succeeded', 120);
    const verdict = await gates.evaluate(toProduction('1.4.2'));
    expect(verdict.allowed).toBe(false);
    expect(verdict.gates[0]).toMatchObject({
      name: 'promotion',
      passed: false,
      overridable: true,
      message:
        '1.4.2 has not been deployed to staging: deploy it to staging first and let it soak 30 minutes, then promote it to production',
    });
  });

  it('refuses before the soak ends, saying how long it soaked and when it may go', async () => {
    await past('1.4.2', 'staging', 'succeeded', 12);
    const gate = await promotionGate('1.4.2');
    expect(gate).toMatchObject({
      passed: false,
      message:
        '1.4.2 has soaked 12 of 30 minutes in staging; it may go to production at 14:18 UTC',
      opensAt: '2026-12-08T14:18:00.000Z',
    });
    await expect(gates.assertAllowed(toProduction('1.4.2'))).rejects.toThrow(
      'Refused by the promotion gate of production for component:default/payments: 1.4.2 has soaked 12 of 30 minutes in staging; it may go to production at 14:18 UTC (someone with sled.gate.override may deploy past it, giving a reason)',
    );
  });

  it('lets it go once it soaked, and when newer artifacts replaced it since', async () => {
    await past('1.4.2', 'staging', 'succeeded', 45);
    expect(await promotionGate('1.4.2')).toMatchObject({
      passed: true,
      message: '1.4.2 succeeded in staging 45 minutes ago (soak: 30 minutes)',
    });
    await past('1.4.3', 'staging', 'succeeded', 10);
    expect((await gates.evaluate(toProduction('1.4.2'))).allowed).toBe(true);
  });

  it('refuses after a newer failure of the artifact in the environment it is promoted from', async () => {
    await past('1.4.2', 'staging', 'succeeded', 90);
    const failed = await past('1.4.2', 'staging', 'failed', 5);
    expect(await promotionGate('1.4.2')).toMatchObject({
      passed: false,
      message: `1.4.2 failed in staging (deploy ${failed.id}): deploy it to staging again and let it succeed there before production`,
    });
  });

  it('refuses an artifact that the environment it is promoted from was rolled back from', async () => {
    await past('1.4.2', 'staging', 'succeeded', 90);
    const rollback = await past('1.4.1', 'staging', 'succeeded', 60);
    expect(await promotionGate('1.4.2')).toMatchObject({
      passed: false,
      message: `staging was rolled back from 1.4.2 to 1.4.1 (deploy ${rollback.id}): 1.4.2 may not go to production until it runs in staging again`,
    });
  });

  it('lets an override pass a refusing promotion, and says it overrode', async () => {
    await past('1.4.2', 'staging', 'succeeded', 1);
    const verdict = await gates.evaluate(
      toProduction('1.4.2', { override: true }),
    );
    expect(verdict).toMatchObject({ allowed: true, overridden: true });
    const plain = await gates.evaluate(toProduction('1.4.2'));
    expect(plain).toMatchObject({ allowed: false, overridden: false });
  });

  it('does not hold a dry run to promotion: it changes nothing', async () => {
    const verdict = await gates.evaluate(
      toProduction('1.4.2', { dryRun: true }),
    );
    expect(verdict).toMatchObject({ allowed: true, gates: [] });
  });

  it('runs the checks a module added, naming the refusing one', async () => {
    const checks = new DeployChecks();
    checks.addCheck({
      name: 'change-board',
      evaluate: async ctx =>
        ctx.artifact.version === '1.4.3'
          ? { message: '1.4.3 has no change ticket' }
          : undefined,
    });
    const checked = new DeployGates({
      config: new Map(),
      promotions: stores.promotions,
      checks,
      now: () => NOW,
    });
    const env = { ...staging, checks: ['change-board'] };
    const refused = await checked.evaluate({
      ...toProduction('1.4.3'),
      environment: env,
    });
    expect(refused.allowed).toBe(false);
    const gate = refused.gates.find(g => !g.passed)!;
    expect(gate).toMatchObject({ name: 'check:change-board' });
    expect(refusalMessage(gate, SVC, 'staging')).toBe(
      "Refused by deploy check 'change-board': 1.4.3 has no change ticket",
    );
    expect(
      (await checked.evaluate({ ...toProduction('1.4.2'), environment: env }))
        .allowed,
    ).toBe(true);
  });

  it('says a deploy waits for approvals where the environment wants them, never for a dry run', async () => {
    const approving = new DeployGates({
      config: new Map([
        [
          'staging',
          {
            windows: [],
            approvals: {
              required: 2,
              approvers: ['owners', 'group:default/release-managers'],
              allowSelfApproval: false,
              expiresAfterMs: 24 * 60 * MIN,
            },
          },
        ],
      ]),
      promotions: stores.promotions,
      checks: new DeployChecks(),
      now: () => NOW,
    });
    const request = { ...toProduction('1.4.2'), environment: staging };
    const verdict = await approving.evaluate(request);
    expect(verdict).toMatchObject({
      allowed: true,
      approvals: { required: 2, expiresAfterMs: 24 * 60 * MIN },
    });
    expect(verdict.gates).toEqual([
      {
        name: 'approvals',
        passed: true,
        overridable: false,
        message:
          'waits for 2 approvals from owners or group:default/release-managers, not the requester, within 24 h',
      },
    ]);
    expect(
      (await approving.evaluate({ ...request, dryRun: true })).approvals,
    ).toBeUndefined();
  });
});
