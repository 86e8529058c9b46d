import {
  Artifact,
  Deploy,
  DeployExecution,
} from '@internal/plugin-sled-common';
import { EnvironmentConfig } from './EnvironmentConfig';

/**
 * How an executor runs a deploy; resolved from artifact, catalog and config
 * when the deploy is created.
 *
 * @public
 */
export interface DeployLaunch {
  /** argv; never run through a shell */
  command: string[];
  /** deployer image (Kubernetes executor) */
  image?: string;
  /** working directory (local executor): the service's catalog folder */
  workingDirectory?: string;
}

/**
 * How a deploy ended.
 *
 * @public
 */
export interface DeployOutcome {
  /** `lost`: what ran the deploy vanished before its outcome was seen */
  status: 'succeeded' | 'failed' | 'cancelled' | 'lost';
  message?: string;
  exitCode?: number;
}

/**
 * Everything an executor needs to run one deploy.
 *
 * @public
 */
export interface DeployJob {
  deploy: Deploy;
  artifact: Artifact;
  environment: EnvironmentConfig;
  launch: DeployLaunch;
}

/**
 * How executors report back: output as it comes, and the outcome once.
 *
 * @public
 */
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
 * the {@link DeployReporter} of its {@link SledExecutorContext}.
 *
 * @public
 */
export interface DeployExecutor {
  /** the `executor:` of the environments it runs */
  readonly kind: string;
  /** Starts a deploy; resolves once it runs, with the handle to record. */
  start(job: DeployJob): Promise<DeployExecution>;
  /** Stops a running deploy; the outcome is reported as `cancelled`. */
  cancel(deploy: Deploy): Promise<void>;
  /**
   * Called once at start-up (and when this backend takes over the deploys of
   * one that is gone) with the deploys recorded as running on this executor:
   * re-attach to them or settle their outcome.
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
