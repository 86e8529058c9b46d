import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import { DeployOutcome, DeployReporter } from '@internal/plugin-sled-node';
import { DeployStore } from '../database/DeployStore';
import { BackendRunner } from './BackendRunner';
import { DeployChanges } from './DeployChanges';

/**
 * Tries to record an outcome before it gives up: past the runner timeout, so
 * a backend whose database stays away is taken over meanwhile.
 */
const RECORD_ATTEMPTS = 11;
const RECORD_RETRY_MS = 250;
const RECORD_RETRY_MAX_MS = 5_000;

/**
 * What executors report of the deploys they run ({@link DeployReporter}):
 * output goes to the deploy's log, the outcome is written, and the change is
 * told to this backend's listeners (the dispatcher starts the target's next
 * deploy). The one writer of a deploy's end.
 */
export class DeployOutcomes implements DeployReporter {
  constructor(
    private readonly options: {
      store: Pick<DeployStore, 'finishDeploy' | 'getDeploy'>;
      logs: {
        append(deployId: string, text: string): void;
        close(deployId: string): Promise<void>;
      };
      runner: BackendRunner;
      changes: DeployChanges;
      logger: LoggerService;
    },
  ) {}

  appendLog(deployId: string, text: string): void {
    this.options.logs.append(deployId, text);
  }

  async finished(
    deployId: string,
    outcome: DeployOutcome,
    options: { requested?: boolean } = {},
  ): Promise<void> {
    await this.options.logs.close(deployId);
    const deploy = await this.record(
      deployId,
      outcome,
      options.requested ? undefined : this.options.runner.id,
    );
    if (deploy) this.options.changes.notify(deploy);
  }

  /**
   * Ends a deploy that has not started, or that this backend is starting
   * (a cancel): written only while it is `status`; told to the listeners.
   */
  async end(
    deployId: string,
    outcome: DeployOutcome,
  ): Promise<Deploy | undefined> {
    const deploy = await this.options.store.finishDeploy(deployId, outcome);
    if (deploy) this.options.changes.notify(deploy);
    return deploy;
  }

  /**
   * Writes the outcome, retried: one that is not written leaves the deploy
   * running (and its target blocked) with nobody to end it, as nothing runs
   * any more (a local process that could not start, a Job never created).
   * A backend that stops meanwhile leaves it to the one that takes over.
   */
  private async record(
    deployId: string,
    outcome: DeployOutcome,
    runner: string | undefined,
  ): Promise<Deploy | undefined> {
    const { store } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        const finished = await store.finishDeploy(deployId, outcome, runner);
        if (finished || attempt === 1) return finished;
        // an earlier attempt may have been written, its answer lost: what
        // follows an end (the target's next deploy, release planners) is due
        const current = await store.getDeploy(deployId);
        return current?.status === outcome.status ? current : undefined;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS || this.options.runner.stopping) {
          throw error;
        }
        this.options.logger.warn(
          `Could not record the end of deploy ${deployId} (attempt ${attempt} of ${RECORD_ATTEMPTS}), trying again: ${error}`,
        );
        await new Promise(resolve =>
          setTimeout(
            resolve,
            Math.min(RECORD_RETRY_MS * 2 ** (attempt - 1), RECORD_RETRY_MAX_MS),
          ),
        );
      }
    }
  }
}
