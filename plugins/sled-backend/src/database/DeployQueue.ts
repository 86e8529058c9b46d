import {
  Artifact,
  Deploy,
  DeployExecution,
  DeployStatus,
  Page,
} from '@internal/plugin-sled-common';
import { DeployLaunch, DeployOutcome } from '@internal/plugin-sled-node';
import { SledTargetFilter } from './targetFilter';

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

export interface NewDeploy {
  entityRef: string;
  ownerRef?: string;
  environment: string;
  artifact: Artifact;
  status: 'queued' | 'skipped' | 'awaiting_approval';
  dryRun: boolean;
  force: boolean;
  requestedBy: string;
  reason?: string;
  rollbackOf?: string;
  releaseId?: string;
  message?: string;
  launch: DeployLaunch;
  /** requested past a refusing gate (sled.gate.override) */
  gatesOverridden?: boolean;
  /** awaiting approval: when it expires (ISO) */
  approvalExpiresAt?: string;
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

/** A deploy just claimed to run, with what starting it needs. */
export interface ClaimedDeploy {
  deploy: Deploy;
  /** its (internal) launch settings */
  launch?: DeployLaunch;
  /** the artifact it was requested with (undefined for deploys of older releases of sled) */
  artifact?: Artifact;
}

/**
 * The deploy queue: deploys and their idempotency records, from queued
 * through running to a final status.
 */
export interface DeployQueue {
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
   * Records how a deploy is executed, only while `runner` runs it; true
   * then, false once it ended meanwhile (a cancel that came while it
   * started) or another backend took it over (whose handle stands).
   */
  setExecution(
    id: string,
    execution: DeployExecution,
    runner: string,
  ): Promise<boolean>;
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

  /** Queues a deploy awaiting approval (its approvals came in); undefined when it no longer awaits. */
  approve(id: string): Promise<Deploy | undefined>;
  /** Ends a deploy awaiting approval; undefined when it no longer awaits. */
  endAwaiting(
    id: string,
    outcome: { status: 'rejected' | 'expired'; message: string },
  ): Promise<Deploy | undefined>;
  /** Ends `expired` every deploy whose approvals did not come by `now`; returns them. */
  expireAwaiting(now: Date): Promise<Deploy[]>;
}
