import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployStore } from '../database/DeployStore';
import { TakeOverOptions } from '../database/runners';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { BackendRunner } from './BackendRunner';
import { DeployDispatcher } from './DeployDispatcher';
import { DeployOutcomes } from './DeployOutcomes';
import { SledEnvironments } from './SledEnvironments';

/** how often a backend records that it is alive */
const HEARTBEAT_MS = 10_000;
/** a backend silent this long is gone: others take over its running deploys */
const RUNNER_TIMEOUT_MS = 30_000;

/** Which running deploys and releases a take-over pass may take. */
export function takeOverOptions(startup: boolean): TakeOverOptions {
  return { timeoutMs: RUNNER_TIMEOUT_MS, unowned: startup };
}

/**
 * This backend's life as a runner: its heartbeat, taking over the running
 * deploys of backends that are gone (at start-up and by a scheduled pass),
 * starting what waits on a free target, and letting the others take over at
 * once when it shuts down.
 */
export class RunnerLifecycle {
  private heartbeatTimer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly options: {
      store: Pick<
        DeployStore,
        'heartbeat' | 'removeRunner' | 'takeOverRunning' | 'listStalledTargets'
      >;
      runner: BackendRunner;
      environments: SledEnvironments;
      executors: ExecutorRegistry;
      dispatcher: DeployDispatcher;
      outcomes: DeployOutcomes;
      logs: {
        resumed(deployId: string): void;
        flushAll(): Promise<void>;
      };
      logger: LoggerService;
    },
  ) {}

  /**
   * Starts this backend's heartbeat, then takes over what backends that are
   * gone left running.
   */
  async start(): Promise<void> {
    const { logger } = this.options;
    // recover() writes the first heartbeat before it takes anything over
    this.heartbeatTimer = setInterval(() => {
      this.beat().catch(error =>
        logger.warn(`Could not record this backend's heartbeat: ${error}`),
      );
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref?.();
    await this.recover({ startup: true });
  }

  /**
   * Takes over the running deploys of backends that stopped or stopped
   * sending heartbeats, never those another live replica runs, and hands
   * them to their executors; then starts what waits on a free target. Runs
   * at start-up and now and then (a scheduled task of each replica).
   */
  async recover(options: { startup?: boolean } = {}): Promise<void> {
    const { store, runner, environments } = this.options;
    if (runner.stopping) return;
    // alive first: a backend whose own heartbeat cannot be written (database
    // away) takes nothing over, and after it returns it is not taken over
    await this.beat();
    // a backend that began to shut down meanwhile takes nothing over
    if (runner.stopping) return;
    const running = await store.takeOverRunning(
      runner.id,
      takeOverOptions(Boolean(options.startup)),
    );
    for (const deploy of running) this.options.logs.resumed(deploy.id);
    for (const executor of this.options.executors.all()) {
      const mine = running.filter(
        d => environments.find(d.environment)?.executor === executor.kind,
      );
      if (mine.length) await executor.recover(mine);
    }
    const orphans = running.filter(d => !environments.find(d.environment));
    for (const deploy of orphans) {
      await this.options.outcomes.finished(deploy.id, {
        status: 'failed',
        message: `Environment ${deploy.environment} is no longer configured`,
      });
    }
    for (const target of await store.listStalledTargets()) {
      await this.options.dispatcher.dispatch(
        target.entityRef,
        target.environment,
      );
    }
  }

  /**
   * Writes this backend's heartbeat; one at a time, so shutdown() can wait
   * for the one on its way before it removes the row.
   */
  private beat(): Promise<void> {
    this.beating ??= this.options.store
      .heartbeat(this.options.runner.id)
      .finally(() => {
        this.beating = undefined;
      });
    return this.beating;
  }

  /**
   * Stops the executors (Kubernetes Jobs go on running), writes the buffered
   * output, and then lets other replicas take over at once.
   */
  async shutdown(): Promise<void> {
    const { runner, store } = this.options;
    runner.stop();
    clearInterval(this.heartbeatTimer);
    // a heartbeat on its way must not bring the row back after its removal
    await this.beating?.catch(() => {});
    for (const executor of this.options.executors.all()) {
      await executor.shutdown();
    }
    await this.options.logs.flushAll();
    await store
      .removeRunner(runner.id)
      .catch(error =>
        this.options.logger.warn(
          `Could not remove this backend from the runners: ${error}`,
        ),
      );
  }
}
