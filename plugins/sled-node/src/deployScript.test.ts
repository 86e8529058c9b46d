import { Artifact, Deploy } from '@internal/plugin-sled-common';
import { DeployJob } from './DeployExecutor';
import { deployArgv, deployEnvironment } from './deployScript';

function job(dryRun: boolean): DeployJob {
  const artifact = {
    id: 'a-1',
    entityRef: 'component:default/payments',
    version: '1.2.3',
    commitSha: 'c0ffee1234abcd',
  } as Artifact;
  const deploy = {
    id: 'd-1',
    entityRef: 'component:default/payments',
    environment: 'staging',
    artifactId: artifact.id,
    dryRun,
  } as Deploy;
  return {
    deploy,
    artifact,
    environment: {
      name: 'staging',
      executor: 'echo',
      requireReason: false,
      checks: [],
    },
    launch: { command: ['./deploy.sh', '--verbose'] },
  };
}

describe('the deploy-script contract', () => {
  it('gives the script the deploy in its environment, an empty image when there is none', () => {
    expect(deployEnvironment(job(false))).toEqual({
      SLED_DEPLOY_ID: 'd-1',
      SLED_SERVICE: 'component:default/payments',
      SLED_ENVIRONMENT: 'staging',
      SLED_ARTIFACT_ID: 'a-1',
      SLED_ARTIFACT_VERSION: '1.2.3',
      SLED_ARTIFACT_IMAGE: '',
      SLED_COMMIT_SHA: 'c0ffee1234abcd',
      SLED_DRY_RUN: '0',
    });
    expect(deployEnvironment(job(true)).SLED_DRY_RUN).toBe('1');
  });

  it('runs the command as argv, dry runs with --dry-run, never changing the launch', () => {
    const dry = job(true);
    expect(deployArgv(job(false))).toEqual(['./deploy.sh', '--verbose']);
    expect(deployArgv(dry)).toEqual(['./deploy.sh', '--verbose', '--dry-run']);
    expect(dry.launch.command).toEqual(['./deploy.sh', '--verbose']);
  });
});
