import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import { DeployStore } from '../database/DeployStore';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { stopIfEnded } from '../executors/stopIfEnded';
import { DeployGates } from '../gates/DeployGates';
import { BackendRunner } from './BackendRunner';
import { DeployChanges } from './DeployChanges';
import { DeployOutcomes } from './DeployOutcomes';
import { SledEnvironments } from './SledEnvironments';
import { StartingDeploys } from './StartingDeploys';

/**
 * Starts a target's oldest queued deploy when nothing runs there: it claims
 * the deploy (the store guarantees at most one running per target), runs the
 * environment's start checks, hands it to its executor and records the
 * handle. A target is dispatched whenever one of its deploys is queued or
 * ends (it listens to {@link DeployChanges}), and by the runner's recover
 * pass. Calls for one target are serialised in this process; across
 * processes the store's claim decides.
 */
export class DeployDispatcher {
  private readonly dispatching = new Map<string, Promise<void>>();
  private readonly redispatch = new Set<string>();

  constructor(
    private readonly options: {
      store: Pick<DeployStore, 'claimNext' | 'getArtifact' | 'setExecution'> &
        Parameters<typeof stopIfEnded>[0];
      environments: SledEnvironments;
      executors: ExecutorRegistry;
      gates: DeployGates;
      outcomes: DeployOutcomes;
      starting: StartingDeploys;
      changes: DeployChanges;
      logs: { claimed(deployId: string): void };
      runner: BackendRunner;
      logger: LoggerService;
    },
  ) {
    options.changes.subscribe(deploy => {
      if (frees(deploy)) {
        // not awaited: this may run inside the dispatch of the same target
        void this.dispatch(deploy.entityRef, deploy.environment);
      }
    });
  }

  dispatch(entityRef: string, environment: string): Promise<void> {
    const key = `${entityRef}\u0000${environment}`;
    const inFlight = this.dispatching.get(key);
    if (inFlight) {
      this.redispatch.add(key);
      return inFlight;
    }
    const run = (async () => {
      try {
        do {
          this.redispatch.delete(key);
          await this.startNext(entityRef, environment);
        } while (this.redispatch.has(key));
      } catch (error) {
        this.options.logger.error(
          `Could not start the next deploy of ${entityRef} to ${environment}`,
          error as Error,
        );
      } finally {
        this.dispatching.delete(key);
      }
    })();
    this.dispatching.set(key, run);
    return run;
  }

  private async startNext(entityRef: string, environment: string) {
    const { store, logger, starting, outcomes } = this.options;
    // a backend shutting down leaves queued deploys to the others
    if (this.options.runner.stopping) return;
    const claimed = await store.claimNext(
      entityRef,
      environment,
      this.options.runner.id,
    );
    if (!claimed) return;
    const { deploy, launch } = claimed;
    starting.begin(deploy.id);
    this.options.logs.claimed(deploy.id);
    this.options.changes.notify(deploy);
    try {
      const env = this.options.environments.get(environment);
      const executor = this.options.executors.forEnvironment(env);
      // the claim carries the artifact (read once, when it was requested)
      const artifact =
        claimed.artifact ?? (await store.getArtifact(deploy.artifactId))!;
      // checked again: a window may have closed, what a check decides on
      // changed, or the artifact been rolled back where it is promoted from
      const refusal = await this.options.gates.startRefusal(
        deploy,
        env,
        artifact,
      );
      if (refusal) {
        await outcomes.finished(deploy.id, {
          status: 'failed',
          message: refusal,
        });
        return;
      }
      // cancelled through this backend while its checks ran: nothing starts
      if (starting.takeCancelled(deploy.id)) return;
      const execution = await executor.start({
        deploy,
        artifact,
        environment: env,
        launch: launch!,
      });
      const recorded = await store.setExecution(
        deploy.id,
        execution,
        this.options.runner.id,
      );
      if (!recorded) {
        await stopIfEnded(store, executor, deploy.id).catch(error =>
          logger.error(
            `Deploy ${deploy.id} was cancelled while it started, and could not be stopped`,
            error as Error,
          ),
        );
      }
      // it runs; the next one starts when it finishes
    } catch (error) {
      // claimed as the backend began to shut down: left running and never
      // launched, for the replica that takes it over to launch
      if (this.options.runner.stopping) return;
      logger.error(`Deploy ${deploy.id} could not start`, error as Error);
      // its end dispatches the target again
      await outcomes.finished(deploy.id, {
        status: 'failed',
        message: `The deploy could not start: ${(error as Error).message}`,
      });
    } finally {
      starting.end(deploy.id);
    }
  }
}

/** A deploy queued, or one that ran and ended, may let the target's next one start. */
function frees(deploy: Deploy): boolean {
  return deploy.status !== 'running' && deploy.status !== 'skipped';
}
