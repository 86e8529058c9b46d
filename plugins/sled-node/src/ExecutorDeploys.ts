import {
  Artifact,
  Deploy,
  DeployExecution,
} from '@internal/plugin-sled-common';
import { DeployLaunch } from './DeployExecutor';

/**
 * What an executor may read and record about deploys besides reporting
 * output and outcomes: enough to re-attach to the deploys it runs after a
 * restart or a take-over, and nothing that changes a deploy's status.
 *
 * @public
 */
export interface ExecutorDeploys {
  /** this backend (a new id for each process), as the runner of the deploys it runs */
  readonly runner: string;
  /** the deploys this backend runs, oldest first */
  listRunning(): Promise<Deploy[]>;
  getDeploy(id: string): Promise<Deploy | undefined>;
  getArtifact(id: string): Promise<Artifact | undefined>;
  /** how a deploy was to be launched, for one that must be started again */
  getLaunch(deployId: string): Promise<DeployLaunch | undefined>;
  /**
   * Why the release gates refuse to start this deploy now (a window closed,
   * a deploy check refuses, the artifact was rolled back where it is
   * promoted from), or undefined to let it start. An executor that starts a
   * deploy claimed by a backend that is gone (a take-over) asks first, as
   * the dispatcher does before every start, and records a refusal as the
   * deploy's `failed` outcome with this message.
   */
  startRefusal(deploy: Deploy, artifact: Artifact): Promise<string | undefined>;
  /**
   * Records how a running deploy is executed (its handle). False when the
   * deploy no longer runs (cancelled while it started, say): then stop what
   * was started, if the deploy was cancelled.
   */
  setExecution(deployId: string, execution: DeployExecution): Promise<boolean>;
  /**
   * True from the moment this backend claims a deploy until its executor's
   * `start` resolved and the handle was recorded: leave such a deploy be.
   */
  isLaunching(deployId: string): boolean;
  /** The output recorded so far, to resume following a deploy after a restart. */
  readLog(deployId: string): Promise<string>;
}
