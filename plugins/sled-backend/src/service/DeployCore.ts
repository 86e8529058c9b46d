import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployChecks } from '../checks/DeployChecks';
import { SledConfig } from '../config';
import { DeployStore, DeployStores } from '../database/DeployStore';
import { ExecutorDeployRecords } from '../executors/ExecutorDeployRecords';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { ApprovalNotifier } from '../gates/ApprovalNotifier';
import { ApprovalRules } from '../gates/ApprovalRules';
import { DeployApprovals } from '../gates/DeployApprovals';
import { DeployGates } from '../gates/DeployGates';
import { EnvironmentGatesConfig } from '../gates/gatesConfig';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { DeployNotifier } from '../notifications/DeployNotifier';
import { SledNotifications } from '../notifications/SledNotifications';
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
  gates: DeployGates;
  approvals: DeployApprovals;
  /** who may approve what (deploys and releases) */
  approvalRules: ApprovalRules;
  /** sled's Backstage notifications (best effort) */
  notifications: SledNotifications;
}

/**
 * Builds the deploy lifecycle: every collaborator is passed to the
 * constructor of what uses it, and the executors of the environments' kinds
 * are created with the outcomes as their reporter. The database is the
 * queue: a deploy row is written `queued` before anything runs, and the
 * dispatcher starts a target's oldest queued deploy when nothing runs there.
 */
export async function createDeployCore(options: {
  store: DeployStore &
    Pick<
      DeployStores,
      'approvals' | 'releaseApprovals' | 'promotions' | 'artifactChecks'
    >;
  config: SledConfig;
  /** the release gates of each environment (none when absent) */
  gates?: Map<string, EnvironmentGatesConfig>;
  /** Backstage notifications, for approvers, requesters and owning teams */
  notifications?: NotificationService;
  /** environments whose deploys' news reaches the owning team (`notify: true`) */
  notifyEnvironments?: Set<string>;
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
  const sender = new SledNotifications({
    notifications: options.notifications,
    logger,
  });
  const notifier = new DeployNotifier({
    sender,
    notifyEnvironments: options.notifyEnvironments ?? new Set(),
  });
  changes.subscribe(deploy => {
    notifier
      .changed(deploy)
      .catch(error =>
        logger.warn(`Could not tell of deploy ${deploy.id}: ${error}`),
      );
  });
  const gates = new DeployGates({
    config: options.gates ?? new Map(),
    promotions: store.promotions,
    checks,
    artifactChecks: store.artifactChecks,
  });
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
    gates,
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
    gates,
    images: options.images,
    defaultDeployerImage: config.kubernetes.defaultDeployerImage,
    outcomes,
    starting,
    changes,
  });
  const states = new ServiceStates({ store, environments, gates });
  const rules = new ApprovalRules(gates);
  const approvals = new DeployApprovals({
    queue: store,
    approvals: store.approvals,
    releaseApprovals: store.releaseApprovals,
    rules,
    changes,
    notifier: new ApprovalNotifier(sender),
  });
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
      gates,
      environments,
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
    gates,
    approvals,
    approvalRules: rules,
    notifications: sender,
  };
}
