import { DeployJob } from './DeployExecutor';

/**
 * The environment variables of the deploy-script contract, shared by every
 * executor.
 *
 * @public
 */
export function deployEnvironment(job: DeployJob): Record<string, string> {
  const { deploy, artifact } = job;
  return {
    SLED_DEPLOY_ID: deploy.id,
    SLED_SERVICE: deploy.entityRef,
    SLED_ENVIRONMENT: deploy.environment,
    SLED_ARTIFACT_ID: artifact.id,
    SLED_ARTIFACT_VERSION: artifact.version,
    SLED_ARTIFACT_IMAGE: artifact.image ?? '',
    SLED_COMMIT_SHA: artifact.commitSha,
    SLED_DRY_RUN: deploy.dryRun ? '1' : '0',
  };
}

/**
 * The argv a deploy runs: dry runs also get `--dry-run`.
 *
 * @public
 */
export function deployArgv(job: DeployJob): string[] {
  return job.deploy.dryRun
    ? [...job.launch.command, '--dry-run']
    : [...job.launch.command];
}
