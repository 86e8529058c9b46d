import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployChecks } from '../checks/DeployChecks';
import { SledConfig } from '../config';
import { DeployStore } from '../database/DeployStore';
import { ExecutorDeployRecords } from '../executors/ExecutorDeployRecords';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { BackendRunner } from './BackendRunner';
import { DeployChanges } from './DeployChanges';
import { DeployDispatcher } from './DeployDispatcher';
import { DeployerImagePolicy } from './DeployerImagePolicy';
import { DeployLogs } from './DeployLogs';
import { DeployOutcomes } from './DeployOutcomes';
import { DeployRequests } from './DeployRequests';
import { RunnerLifecycle } from './RunnerLifecycle';
import { ServiceStates } from './ServiceStates';
import { SledEnvironments } from './SledEnvironments';
import { StartingDeploys } from './StartingDeploys';

/** The deploy lifecycle's parts, built and wired once. */
export interface DeployCore {
  runner: BackendRunner;
  environments: SledEnvironments;
  changes: DeployChanges;
  logs: DeployLogs;
  outcomes: DeployOutcomes;
  dispatcher: DeployDispatcher;
  requests: DeployRequests;
  states: ServiceStates;
  lifecycle: RunnerLifecycle;
}

/**
 * Builds the deploy lifecycle: every collaborator is passed to the
 * constructor of what uses it, and the executors of the environments' kinds
 * are created with the outcomes as their reporter. The database is the
 * queue: a deploy row is written `queued` before anything runs, and the
 * dispatcher starts a target's oldest queued deploy when nothing runs there.
 */
export async function createDeployCore(options: {
  store: DeployStore;
  config: SledConfig;
  executors: ExecutorRegistry;
  checks: DeployChecks;
  /** which deployer images an artifact may name */
  images: DeployerImagePolicy;
  logger: LoggerService;
  /** this backend (a new id for each process), as its deploys' runner */
  runnerId: string;
}): Promise<DeployCore> {
  const { store, config, executors, checks, logger } = options;
  const runner = new BackendRunner(options.runnerId);
  const environments = new SledEnvironments(config.environments);
  const changes = new DeployChanges();
  const starting = new StartingDeploys();
  const logs = new DeployLogs({
    store,
    logger,
    runner: runner.id,
    takenOver: executors,
  });
  const outcomes = new DeployOutcomes({
    store,
    logs,
    runner,
    changes,
    logger,
  });
  const dispatcher = new DeployDispatcher({
    store,
    environments,
    executors,
    checks,
    outcomes,
    starting,
    changes,
    logs,
    runner,
    logger,
  });
  const requests = new DeployRequests({
    store,
    environments,
    executors,
    checks,
    images: options.images,
    defaultDeployerImage: config.kubernetes.defaultDeployerImage,
    outcomes,
    starting,
    changes,
  });
  const states = new ServiceStates({ store, environments });
  const lifecycle = new RunnerLifecycle({
    store,
    runner,
    environments,
    executors,
    dispatcher,
    outcomes,
    logs,
    logger,
  });
  await executors.createExecutors({
    environments: config.environments,
    reporter: outcomes,
    logger,
    deploys: new ExecutorDeployRecords({
      store,
      runner: runner.id,
      launching: starting,
      logs,
    }),
  });
  return {
    runner,
    environments,
    changes,
    logs,
    outcomes,
    dispatcher,
    requests,
    states,
    lifecycle,
  };
}
