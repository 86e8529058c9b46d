import { Deploy, DeployExecution } from '@internal/plugin-sled-common';
import {
  DeployExecutor,
  DeployJob,
  SledExecutorContext,
  deployArgv,
  deployEnvironment,
} from '@internal/plugin-sled-node';
import { EchoSettings } from './EchoSettings';

/**
 * Runs nothing: writes the argv and the environment a deploy would run
 * with to its log, then ends it with the outcome its environment configures
 * (`echo.outcome`). A dry run of an executor, and the example of one.
 *
 * @public
 */
export class EchoExecutor implements DeployExecutor {
  readonly kind = 'echo';
  /** deploys started and not ended yet */
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly context: SledExecutorContext<EchoSettings>) {}

  async start(job: DeployJob): Promise<DeployExecution> {
    const { reporter } = this.context;
    const id = job.deploy.id;
    const { outcome } = this.settingsOf(job.environment.name);
    reporter.appendLog(id, `$ ${deployArgv(job).join(' ')}\n`);
    for (const [name, value] of Object.entries(deployEnvironment(job))) {
      reporter.appendLog(id, `${name}=${value}\n`);
    }
    // ends after start() resolved, as a real deploy would
    const timer = setTimeout(() => {
      this.pending.delete(id);
      reporter
        .finished(id, {
          status: outcome,
          exitCode: outcome === 'succeeded' ? 0 : 1,
          message: `echo: ${outcome}`,
        })
        .catch(error =>
          this.context.logger.error(`Deploy ${id}: ${error}`, error),
        );
    }, 0);
    this.pending.set(id, timer);
    return { executor: this.kind, handle: `echo:${id}` };
  }

  async cancel(deploy: Deploy): Promise<void> {
    const timer = this.pending.get(deploy.id);
    if (timer) clearTimeout(timer);
    this.pending.delete(deploy.id);
    await this.context.reporter.finished(
      deploy.id,
      { status: 'cancelled', message: 'Cancelled' },
      { requested: true },
    );
  }

  async recover(running: Deploy[]): Promise<void> {
    // an echo keeps nothing across restarts: what was running ends here
    for (const deploy of running) {
      await this.context.reporter.finished(deploy.id, {
        status: 'failed',
        message: 'echo: the backend running it stopped',
      });
    }
  }

  async shutdown(): Promise<void> {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private settingsOf(environment: string): EchoSettings {
    const found = this.context.environments.find(
      e => e.environment.name === environment,
    );
    if (!found) throw new Error(`${environment} is not an echo environment`);
    return found.settings;
  }
}
