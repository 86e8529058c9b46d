import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DeployExecutor,
  DeployReporter,
  EnvironmentConfig,
  ExecutorDeploys,
  SledExecutorRegistration,
  SledExecutorsExtensionPoint,
} from '@internal/plugin-sled-node';

const KIND = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * The executors of this backend: the registrations of the executors
 * extension point (modules' and the built-in ones), and, once start-up
 * created them, the executor of each kind some environment uses.
 */
export class ExecutorRegistry implements SledExecutorsExtensionPoint {
  private readonly registrations = new Map<
    string,
    SledExecutorRegistration<unknown>
  >();
  /** each environment's settings, as its executor read them */
  private readonly settings = new Map<string, unknown>();
  private readonly executors = new Map<string, DeployExecutor>();
  private created = false;

  addExecutor<TSettings>(registration: SledExecutorRegistration<TSettings>) {
    const { kind } = registration;
    if (this.created) {
      throw new Error(
        `The ${kind} executor was added after SLeD created its executors`,
      );
    }
    if (!KIND.test(kind)) {
      throw new Error(
        `Executor kind '${kind}' must be lower-case letters, digits and dashes, starting with a letter (at most 31)`,
      );
    }
    if (this.registrations.has(kind)) {
      throw new Error(`The ${kind} executor is registered twice`);
    }
    this.registrations.set(
      kind,
      registration as SledExecutorRegistration<unknown>,
    );
  }

  /** the registered kinds, sorted */
  get kinds(): string[] {
    return [...this.registrations.keys()].sort();
  }

  /**
   * Checks one environment's `executor:` against the registered kinds and
   * lets its executor read its own keys; throws naming the key.
   */
  readEnvironment(
    environment: EnvironmentConfig,
    config: Config,
    path: string,
  ) {
    const registration = this.registrations.get(environment.executor);
    if (!registration) {
      throw new InputError(
        `Invalid config at ${path}.executor: unknown executor '${
          environment.executor
        }', registered: ${this.kinds.join(', ') || 'none'}`,
      );
    }
    this.settings.set(
      environment.name,
      registration.readEnvironment?.(config, path),
    );
  }

  /** Creates the executor of each kind the environments use, once. */
  async createExecutors(context: {
    environments: EnvironmentConfig[];
    reporter: DeployReporter;
    logger: LoggerService;
    deploys: ExecutorDeploys;
  }): Promise<void> {
    this.created = true;
    for (const [kind, registration] of this.registrations) {
      const environments = context.environments
        .filter(environment => environment.executor === kind)
        .map(environment => {
          if (!this.settings.has(environment.name)) {
            throw new Error(
              `Environment ${environment.name} was not read by its executor`,
            );
          }
          return { environment, settings: this.settings.get(environment.name) };
        });
      if (!environments.length) continue;
      const executor = await registration.createExecutor({
        environments,
        reporter: context.reporter,
        logger: context.logger.child({ executor: kind }),
        deploys: context.deploys,
      });
      if (executor.kind !== kind) {
        throw new Error(
          `The ${kind} executor's registration created an executor of kind '${executor.kind}'`,
        );
      }
      this.executors.set(kind, executor);
    }
  }

  /** The executor of a kind, if an environment uses it. */
  get(kind: string): DeployExecutor | undefined {
    return this.executors.get(kind);
  }

  /** Every executor created. */
  all(): DeployExecutor[] {
    return [...this.executors.values()];
  }

  /** The executor that runs an environment's deploys; throws when there is none. */
  forEnvironment(environment: EnvironmentConfig): DeployExecutor {
    const executor = this.executors.get(environment.executor);
    if (!executor) {
      throw new Error(
        `The ${environment.executor} executor of environment ${environment.name} is not available`,
      );
    }
    return executor;
  }

  /** Another backend took the deploy over: no executor here follows it any more. */
  forget(deployId: string): void {
    for (const executor of this.executors.values()) {
      executor.forget?.(deployId);
    }
  }
}
