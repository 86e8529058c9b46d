import {
  createExtensionPoint,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { DeployExecutor, DeployReporter } from './DeployExecutor';
import { EnvironmentConfig } from './EnvironmentConfig';
import { ExecutorDeploys } from './ExecutorDeploys';

/**
 * One environment an executor runs, with the settings its
 * {@link SledExecutorRegistration.readEnvironment} read from its config.
 *
 * @public
 */
export interface SledExecutorEnvironment<TSettings = undefined> {
  environment: EnvironmentConfig;
  settings: TSettings;
}

/**
 * What an executor is created with, once at start-up.
 *
 * @public
 */
export interface SledExecutorContext<TSettings = undefined> {
  /** the configured environments of this executor's kind (at least one) */
  environments: SledExecutorEnvironment<TSettings>[];
  /** where the executor reports deploy output and outcomes */
  reporter: DeployReporter;
  logger: LoggerService;
  /** what it may read and record about the deploys it runs */
  deploys: ExecutorDeploys;
}

/**
 * An executor for one `executor:` kind of `sled.environments[]`.
 *
 * @public
 */
export interface SledExecutorRegistration<TSettings = undefined> {
  /** the `executor:` value of the environments it runs: lower-case letters, digits and dashes */
  kind: string;
  /**
   * Reads and checks this executor's own keys of one environment at
   * start-up, and returns them as settings. Throws naming the key, e.g.
   * `Invalid config at sled.environments[2].host: ...`, where `path` is
   * `sled.environments[2]`.
   */
  readEnvironment?(config: Config, path: string): TSettings;
  /** Creates the executor; called only when some environment uses its kind. */
  createExecutor(
    context: SledExecutorContext<TSettings>,
  ): DeployExecutor | Promise<DeployExecutor>;
}

/**
 * Adds executors to SLeD: a backend module for plugin `sled` registers one
 * for a new `executor:` kind. The built-in `local` and `kubernetes`
 * executors are registered the same way.
 *
 * @public
 */
export interface SledExecutorsExtensionPoint {
  addExecutor<TSettings>(
    registration: SledExecutorRegistration<TSettings>,
  ): void;
}

/**
 * The extension point of SLeD's executors.
 *
 * @public
 */
export const sledExecutorsExtensionPoint =
  createExtensionPoint<SledExecutorsExtensionPoint>({
    id: 'sled.executors',
  });
