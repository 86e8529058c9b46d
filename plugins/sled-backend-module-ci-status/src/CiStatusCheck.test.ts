import { Artifact, ArtifactCheck } from '@internal/plugin-sled-common';
import { DeployCheckContext } from '@internal/plugin-sled-node';
import { CiStatusCheck } from './CiStatusCheck';

function context(checks?: ArtifactCheck[]): DeployCheckContext {
  return {
    phase: 'queue',
    entityRef: 'component:default/payments',
    environment: {
      name: 'production',
      executor: 'local',
      requireReason: false,
      checks: ['ci-status'],
    },
    artifact: {
      id: '6c1d6a0e-2f43-4c43-9d4c-3e0a4a1f6b11',
      version: '1.4.2',
      ...(checks ? { checks } : {}),
    } as Artifact,
    requestedBy: 'user:default/mock',
    dryRun: false,
    force: false,
  };
}

describe('CiStatusCheck', () => {
  it('reports a failure first, then what waiting may fix, naming the others', async () => {
    const check = new CiStatusCheck({});
    await expect(
      check.evaluate(
        context([
          { name: 'e2e', status: 'pending' },
          { name: 'lint', status: 'passed' },
          { name: 'unit-tests', status: 'failed' },
        ]),
      ),
    ).resolves.toEqual({
      message:
        "1.4.2: CI check 'unit-tests' failed, and 'e2e' is still pending; fix it and register a new build",
    });
  });

  it('lists every required check that did not pass, in the order required', async () => {
    const check = new CiStatusCheck({
      required: ['e2e', 'unit-tests', 'lint'],
    });
    await expect(
      check.evaluate(context([{ name: 'unit-tests', status: 'pending' }])),
    ).resolves.toEqual({
      message:
        "1.4.2: CI check 'unit-tests' is still pending, and 'e2e' has not been reported by CI, 'lint' has not been reported by CI; wait for CI",
    });
  });

  it('lets a dry run or a start go only when the checks passed, like any deploy', async () => {
    const check = new CiStatusCheck({ required: ['unit-tests'] });
    const failed = context([{ name: 'unit-tests', status: 'failed' }]);
    for (const c of [
      { ...failed, dryRun: true },
      { ...failed, phase: 'start' as const },
    ]) {
      await expect(check.evaluate(c)).resolves.toEqual({
        message:
          "1.4.2: CI check 'unit-tests' failed; fix it and register a new build",
      });
    }
    await expect(
      check.evaluate(context([{ name: 'unit-tests', status: 'passed' }])),
    ).resolves.toBeUndefined();
  });
});
