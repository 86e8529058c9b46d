import {
  Artifact,
  Deploy,
  DeployExecution,
  DeployStatus,
  Lock,
  Page,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { DeployLaunch, DeployOutcome } from '@internal/plugin-sled-node';
import { TakeOverOptions } from './runners';

/** A permission condition translated to a column test. */
export interface SledTargetQuery {
  column: 'environment' | 'entity_ref' | 'owner_ref';
  values: string[];
}

/** What a caller may see, from a conditional permission decision. */
export type SledTargetFilter = PermissionCriteria<SledTargetQuery>;

export interface ListDeploysOptions {
  entityRef?: string;
  environment?: string;
  status?: DeployStatus[];
  /** ISO date: only deploys created at or after it */
  createdAfter?: string;
  limit: number;
  cursor?: string;
  filter?: SledTargetFilter;
}

export interface ListArtifactsOptions {
  entityRef?: string;
  /** only these artifacts */
  ids?: string[];
  limit: number;
  cursor?: string;
  filter?: SledTargetFilter;
}

export interface NewDeploy {
  entityRef: string;
  ownerRef?: string;
  environment: string;
  artifact: Artifact;
  status: 'queued' | 'skipped';
  dryRun: boolean;
  force: boolean;
  requestedBy: string;
  reason?: string;
  rollbackOf?: string;
  releaseId?: string;
  message?: string;
  launch: DeployLaunch;
}

/** A deploy that ended in the past, recorded with its times and log (example history). */
export interface PastDeploy {
  entityRef: string;
  ownerRef?: string;
  environment: string;
  artifact: Artifact;
  status: 'succeeded' | 'failed';
  requestedBy: string;
  reason?: string;
  message?: string;
  exitCode?: number;
  launch: DeployLaunch;
  createdAt: Date;
  finishedAt: Date;
  log: string;
}

export interface IdempotencyRecord {
  principal: string;
  key: string;
  requestHash: string;
}

/** A deploy just claimed to run, with its (internal) launch settings. */
export interface ClaimedDeploy {
  deploy: Deploy;
  launch?: DeployLaunch;
}

export interface NewLock {
  environment: string;
  entityRef?: string;
  deployGroup?: string;
  /** the locked service's or deploy group's owner, for read filters */
  ownerRef?: string;
  reason: string;
  createdBy: string;
  expiresAt?: string;
}

export interface ListLocksOptions {
  environment?: string;
  /** only locks in these environments */
  environments?: string[];
  entityRef?: string;
  deployGroup?: string;
  /** the caller's read decision, on the lock's environment, service and owner */
  filter?: SledTargetFilter;
}

/** Persistence of artifacts, deploys, logs, locks and idempotency records. */
export interface DeployStore {
  /** Registers an artifact; identical replays return the existing one. */
  registerArtifact(
    request: RegisterArtifactRequest,
    ownerRef?: string,
  ): Promise<{ artifact: Artifact; created: boolean }>;
  getArtifact(id: string): Promise<Artifact | undefined>;
  listArtifacts(options: ListArtifactsOptions): Promise<Page<Artifact>>;

  /**
   * Writes a deploy row (and the idempotency record, atomically). When the
   * idempotency key was already used, returns the earlier deploy instead.
   */
  createDeploy(
    deploy: NewDeploy,
    idempotency?: IdempotencyRecord,
  ): Promise<{ deploy: Deploy; replayed: boolean }>;
  /** Writes a deploy that already ended, with its log (both or neither). */
  recordPastDeploy(deploy: PastDeploy): Promise<Deploy>;
  findIdempotent(
    principal: string,
    key: string,
  ): Promise<{ requestHash: string; deployId: string } | undefined>;
  getDeploy(id: string): Promise<Deploy | undefined>;
  listDeploys(options: ListDeploysOptions): Promise<Page<Deploy>>;

  /**
   * Moves the oldest queued deploy of a target to running on `runner` (this
   * backend), unless one runs; returns it with how to launch it.
   */
  claimNext(
    entityRef: string,
    environment: string,
    runner: string,
  ): Promise<ClaimedDeploy | undefined>;
  getLaunch(id: string): Promise<DeployLaunch | undefined>;
  /**
   * Records how a deploy is executed; true while it still runs (false once
   * it ended meanwhile, e.g. a cancel that came while it started).
   */
  setExecution(id: string, execution: DeployExecution): Promise<boolean>;
  /**
   * Ends a queued or running deploy and returns it; undefined when it had
   * already ended. With `runner`, only while that backend runs it (undefined
   * once another backend took it over).
   */
  finishDeploy(
    id: string,
    outcome: DeployOutcome,
    runner?: string,
  ): Promise<Deploy | undefined>;
  /** Targets that have queued deploys and nothing running. */
  listStalledTargets(): Promise<
    Array<{ entityRef: string; environment: string }>
  >;
  /** Running deploys, oldest first; with `runner`, only that backend's. */
  listRunning(options?: { runner?: string }): Promise<Deploy[]>;
  /** Records that the backend `runner` is alive (now). */
  heartbeat(runner: string): Promise<void>;
  /** Forgets a backend that stops: its running deploys are free to take over. */
  removeRunner(runner: string): Promise<void>;
  /**
   * Makes `runner` the runner of every running deploy whose backend is gone
   * (removed, or no heartbeat for `timeoutMs`), never its own, and returns
   * them; two backends calling it at once never both get one.
   */
  takeOverRunning(runner: string, options: TakeOverOptions): Promise<Deploy[]>;
  /** The newest deploy of a target matching the given statuses. */
  findLatest(
    entityRef: string,
    environment: string,
    options: {
      statuses?: DeployStatus[];
      includeDryRun?: boolean;
      excludeArtifactId?: string;
    },
  ): Promise<Deploy | undefined>;
  countActive(entityRef: string, environment: string): Promise<number>;

  /**
   * Stores one chunk of a deploy's output. With `runner`, only while that
   * backend runs the deploy: false, and nothing written, once another backend
   * took it over (a backend whose heartbeats stopped may still be following
   * it, and its output would interleave with the new runner's).
   */
  appendLog(
    deployId: string,
    chunk: number,
    text: string,
    runner?: string,
  ): Promise<boolean>;
  readLog(
    deployId: string,
    afterChunk?: number,
  ): Promise<Array<{ chunk: number; text: string }>>;

  createLock(lock: NewLock): Promise<Lock>;
  /**
   * Active locks, oldest first. With `entityRef` and/or `deployGroup`: the
   * locks that apply to that service or group, i.e. its own, its group's
   * and environment-wide ones.
   */
  listLocks(options: ListLocksOptions): Promise<Lock[]>;
  getLock(id: string): Promise<Lock | undefined>;
  deleteLock(id: string): Promise<boolean>;
}
