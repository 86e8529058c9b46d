import { ApprovalStore } from './ApprovalStore';
import { ArtifactCheckStore } from './ArtifactCheckStore';
import { ArtifactStore } from './ArtifactStore';
import { DeployLogStore } from './DeployLogStore';
import { DeployQueue } from './DeployQueue';
import { LockStore } from './LockStore';
import { PromotionLedger } from './PromotionLedger';
import { RunnerStore } from './RunnerStore';

export type { ArtifactStore, ListArtifactsOptions } from './ArtifactStore';
export type { DeployLogChunk, DeployLogStore } from './DeployLogStore';
export type {
  ClaimedDeploy,
  DeployQueue,
  IdempotencyRecord,
  ListDeploysOptions,
  NewDeploy,
  PastDeploy,
} from './DeployQueue';
export type { ListLocksOptions, LockStore, NewLock } from './LockStore';
export type { RunnerStore, TakeOverOptions } from './RunnerStore';
export type { SledTargetFilter, SledTargetQuery } from './targetFilter';

/** The stores of the deploy side of sled, one per record kind, on one database. */
export interface DeployStores {
  artifacts: ArtifactStore;
  queue: DeployQueue;
  runners: RunnerStore;
  logs: DeployLogStore;
  locks: LockStore;
  approvals: ApprovalStore;
  /** the decisions on releases, asked once for all their members */
  releaseApprovals: ApprovalStore;
  artifactChecks: ArtifactCheckStore;
  promotions: PromotionLedger;
}

/**
 * All of {@link DeployStores} as one object, for the callers written before
 * the split; new code takes only the store it needs.
 */
export interface DeployStore
  extends ArtifactStore,
    DeployQueue,
    RunnerStore,
    DeployLogStore,
    LockStore {}
