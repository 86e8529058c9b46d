import {
  ContractError,
  exampleContractEnvironment,
  readContract,
} from './contract.ts';
import { UsageError, parseFlags } from './flags.ts';
import { contractEnv, runDeploy } from './__testUtils__/fakeCluster.ts';

// a loaded CI machine: loading the Kubernetes client alone may take seconds
jest.setTimeout(60_000);

describe('readContract', () => {
  it('reads every SLED_* variable into a typed contract', () => {
    expect(readContract(contractEnv())).toEqual({
      deployId: '11111111-1111-4111-8111-111111111111',
      service: 'component:default/cart',
      serviceName: 'cart',
      environment: 'staging',
      artifact: {
        id: 'artifact-1',
        version: '1.3.0',
        image: expect.stringMatching(/@sha256:/),
      },
      commitSha: 'abcdef0123456789abcdef0123456789abcdef01',
      dryRun: false,
    });
    expect(readContract(contractEnv({ SLED_DRY_RUN: '1' })).dryRun).toBe(true);
  });

  it('names every missing variable', () => {
    let error: unknown;
    try {
      readContract(
        contractEnv({ SLED_DEPLOY_ID: undefined, SLED_ENVIRONMENT: ' ' }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).missing).toEqual([
      'SLED_DEPLOY_ID',
      'SLED_ENVIRONMENT',
    ]);
    expect((error as Error).message).toMatch(
      /^The deploy contract is incomplete: SLED_DEPLOY_ID, SLED_ENVIRONMENT are not set\./,
    );
  });

  it('refuses values it cannot use, and says why', () => {
    expect(() =>
      readContract(contractEnv({ SLED_SERVICE: 'a/b/c', SLED_DRY_RUN: 'yes' })),
    ).toThrow(
      "SLED_SERVICE is 'a/b/c', not an entity ref such as component:default/cart; SLED_DRY_RUN is 'yes', expected 1 or 0",
    );
  });

  it('takes an empty image as none (an artifact need not have one)', () => {
    expect(
      readContract(contractEnv({ SLED_ARTIFACT_IMAGE: '' })).artifact.image,
    ).toBeUndefined();
  });

  it('makes up a contract for trying a script, keeping what is set', () => {
    const env = exampleContractEnvironment('ledger', {
      SLED_ENVIRONMENT: 'staging',
    });
    const contract = readContract(env);
    expect(contract.service).toBe('component:default/ledger');
    expect(contract.environment).toBe('staging');
    expect(contract.artifact.image).toMatch(/@sha256:0{64}$/);
  });
});

describe('parseFlags', () => {
  it('is apply without flags, and dry run with --dry-run or SLED_DRY_RUN=1', () => {
    expect(parseFlags([]).mode).toBe('apply');
    expect(parseFlags(['--dry-run']).mode).toBe('dry-run');
    expect(parseFlags([], { SLED_DRY_RUN: '1' }).mode).toBe('dry-run');
    expect(parseFlags(['--validate'], { SLED_DRY_RUN: '1' }).mode).toBe(
      'validate',
    );
  });

  it('refuses unknown flags and both modes at once', () => {
    expect(() => parseFlags(['--apply'])).toThrow(UsageError);
    expect(() => parseFlags(['--apply'])).toThrow("Unknown argument '--apply'");
    expect(() => parseFlags(['--dry-run', '--validate'])).toThrow(
      'Give --dry-run or --validate, not both.',
    );
  });
});

describe('a deploy script without its contract', () => {
  it('exits 1 naming what is missing, before asking the script for anything', async () => {
    const define = jest.fn(() => ({ resources: [] }));
    const run = await runDeploy(define, {
      env: contractEnv({ SLED_COMMIT_SHA: undefined }),
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('SLED_COMMIT_SHA is not set');
    expect(define).not.toHaveBeenCalled();
  });

  it('exits 2 on an unknown flag, with the usage', async () => {
    const run = await runDeploy(() => ({ resources: [] }), {
      argv: ['--force'],
    });
    expect(run.code).toBe(2);
    expect(run.output).toContain("Unknown argument '--force'");
    expect(run.output).toContain('--validate');
  });
});
