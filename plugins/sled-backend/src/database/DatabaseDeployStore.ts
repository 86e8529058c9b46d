import { DatabaseService } from '@backstage/backend-plugin-api';
import { createDeployStores } from './createDeployStores';
import {
  ArtifactStore,
  DeployLogStore,
  DeployQueue,
  DeployStore,
  DeployStores,
  LockStore,
  RunnerStore,
} from './DeployStore';

/**
 * {@link DeployStore} over the Knex stores of {@link createDeployStores}: each
 * method is its store's. The stores themselves are its `artifacts`, `queue`,
 * `runners`, `logs` and `locks`, for callers that need only one of them.
 */
export class DatabaseDeployStore implements DeployStore, DeployStores {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseDeployStore> {
    return new DatabaseDeployStore(await createDeployStores(options));
  }

  readonly artifacts: ArtifactStore;
  readonly queue: DeployQueue;
  readonly runners: RunnerStore;
  readonly logs: DeployLogStore;
  readonly locks: LockStore;
  readonly approvals: DeployStores['approvals'];
  readonly releaseApprovals: DeployStores['releaseApprovals'];
  readonly artifactChecks: DeployStores['artifactChecks'];
  readonly promotions: DeployStores['promotions'];

  private constructor(stores: DeployStores) {
    this.approvals = stores.approvals;
    this.releaseApprovals = stores.releaseApprovals;
    this.artifactChecks = stores.artifactChecks;
    this.promotions = stores.promotions;
    this.artifacts = stores.artifacts;
    this.queue = stores.queue;
    this.runners = stores.runners;
    this.logs = stores.logs;
    this.locks = stores.locks;
  }

  registerArtifact: ArtifactStore['registerArtifact'] = (...args) =>
    this.artifacts.registerArtifact(...args);
  getArtifact: ArtifactStore['getArtifact'] = (...args) =>
    this.artifacts.getArtifact(...args);
  listArtifacts: ArtifactStore['listArtifacts'] = (...args) =>
    this.artifacts.listArtifacts(...args);

  createDeploy: DeployQueue['createDeploy'] = (...args) =>
    this.queue.createDeploy(...args);
  recordPastDeploy: DeployQueue['recordPastDeploy'] = (...args) =>
    this.queue.recordPastDeploy(...args);
  findIdempotent: DeployQueue['findIdempotent'] = (...args) =>
    this.queue.findIdempotent(...args);
  getDeploy: DeployQueue['getDeploy'] = (...args) =>
    this.queue.getDeploy(...args);
  listDeploys: DeployQueue['listDeploys'] = (...args) =>
    this.queue.listDeploys(...args);
  claimNext: DeployQueue['claimNext'] = (...args) =>
    this.queue.claimNext(...args);
  getLaunch: DeployQueue['getLaunch'] = (...args) =>
    this.queue.getLaunch(...args);
  setExecution: DeployQueue['setExecution'] = (...args) =>
    this.queue.setExecution(...args);
  finishDeploy: DeployQueue['finishDeploy'] = (...args) =>
    this.queue.finishDeploy(...args);
  listStalledTargets: DeployQueue['listStalledTargets'] = (...args) =>
    this.queue.listStalledTargets(...args);
  listRunning: DeployQueue['listRunning'] = (...args) =>
    this.queue.listRunning(...args);
  findLatest: DeployQueue['findLatest'] = (...args) =>
    this.queue.findLatest(...args);
  countActive: DeployQueue['countActive'] = (...args) =>
    this.queue.countActive(...args);
  approve: DeployQueue['approve'] = (...args) => this.queue.approve(...args);
  endAwaiting: DeployQueue['endAwaiting'] = (...args) =>
    this.queue.endAwaiting(...args);
  expireAwaiting: DeployQueue['expireAwaiting'] = (...args) =>
    this.queue.expireAwaiting(...args);

  heartbeat: RunnerStore['heartbeat'] = (...args) =>
    this.runners.heartbeat(...args);
  removeRunner: RunnerStore['removeRunner'] = (...args) =>
    this.runners.removeRunner(...args);
  takeOverRunning: RunnerStore['takeOverRunning'] = (...args) =>
    this.runners.takeOverRunning(...args);

  appendLog: DeployLogStore['appendLog'] = (...args) =>
    this.logs.appendLog(...args);
  readLog: DeployLogStore['readLog'] = (...args) => this.logs.readLog(...args);

  createLock: LockStore['createLock'] = (...args) =>
    this.locks.createLock(...args);
  listLocks: LockStore['listLocks'] = (...args) =>
    this.locks.listLocks(...args);
  getLock: LockStore['getLock'] = (...args) => this.locks.getLock(...args);
  deleteLock: LockStore['deleteLock'] = (...args) =>
    this.locks.deleteLock(...args);
}
