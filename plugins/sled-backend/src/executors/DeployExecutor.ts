import {
  Artifact,
  Deploy,
  DeployExecution,
  ExecutorKind,
} from '@internal/plugin-sled-common';
import { EnvironmentConfig } from '../config';
import { DeployLaunch, DeployOutcome } from '../database/DeployStore';

/** Everything an executor needs to run one deploy. */
export interface DeployJob {
  deploy: Deploy;
  artifact: Artifact;
  environment: EnvironmentConfig;
  launch: DeployLaunch;
}

/** How executors report back: output as it comes, and the outcome once. */
export interface DeployReporter {
  appendLog(deployId: string, text: string): void;
  /**
   * Records the outcome, only while this backend runs the deploy: a backend
   * whose deploy another one took over records nothing. With `requested`, the
   * outcome of an action requested through this backend (a cancel), recorded
   * whichever backend runs the deploy.
   */
  finished(
    deployId: string,
    outcome: DeployOutcome,
    options?: { requested?: boolean },
  ): Promise<void>;
}

/**
 * Runs deploys somewhere. An executor reports output and the outcome through
 * the {@link DeployReporter} it was created with.
 */
export interface DeployExecutor {
  readonly kind: ExecutorKind;
  /** Starts a deploy; resolves once it runs, with the handle to record. */
  start(job: DeployJob): Promise<DeployExecution>;
  /** Stops a running deploy; the outcome is reported as `cancelled`. */
  cancel(deploy: Deploy): Promise<void>;
  /**
   * Called once at start-up with the deploys recorded as running on this
   * executor: re-attach to them or settle their outcome.
   */
  recover(running: Deploy[]): Promise<void>;
  /** Stops what this process owns (backend shut-down). */
  shutdown(): Promise<void>;
  /**
   * Stops following a deploy that another backend took over, recording
   * nothing. Executors whose deploys cannot move between backends leave it out.
   */
  forget?(deployId: string): void;
}

/** The deploy-script contract shared by every executor. */
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

/** The argv to run: dry runs also get `--dry-run`. */
export function deployArgv(job: DeployJob): string[] {
  return job.deploy.dryRun
    ? [...job.launch.command, '--dry-run']
    : [...job.launch.command];
}
