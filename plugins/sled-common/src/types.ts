/** Every status of a deploy, in the order a deploy goes through them. */
export const DEPLOY_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
] as const;

/** Status of a deploy. `skipped` means the artifact was already what runs there. */
export type DeployStatus = (typeof DEPLOY_STATUSES)[number];

/** Statuses after which a deploy never changes again. */
export const FINAL_DEPLOY_STATUSES: ReadonlyArray<DeployStatus> = [
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
];

/** Statuses of a deploy that still holds or waits for its target. */
export const ACTIVE_DEPLOY_STATUSES: ReadonlyArray<DeployStatus> = [
  'queued',
  'running',
];

export function isFinalDeployStatus(status: DeployStatus): boolean {
  return FINAL_DEPLOY_STATUSES.includes(status);
}

export interface MergeRequest {
  url: string;
  title: string;
  mergedAt?: string;
}

/**
 * How an artifact is deployed: the deploy script may travel with it, inside a
 * deployer image. The command always comes from the catalog entity; the image
 * must be pinned by digest and allowed by `sled.kubernetes.allowedImages`.
 */
export interface ArtifactDeploySpec {
  /** deployer container image (Kubernetes executor), pinned by digest */
  image?: string;
}

/** An immutable, deployable build of one service. */
export interface Artifact {
  id: string;
  entityRef: string;
  /** the service's owner when the artifact was registered */
  ownerRef?: string;
  version: string;
  image?: string;
  commitSha: string;
  mergeRequest?: MergeRequest;
  buildUrl?: string;
  deploy?: ArtifactDeploySpec;
  createdAt: string;
}

export interface RegisterArtifactRequest {
  entityRef: string;
  version: string;
  image?: string;
  commitSha: string;
  mergeRequest?: MergeRequest;
  buildUrl?: string;
  deploy?: ArtifactDeploySpec;
}

export type ExecutorKind = 'local' | 'kubernetes';

/** A lock on an environment, or on one service in it. */
export interface Lock {
  id: string;
  environment: string;
  /** when set, only this service is locked in the environment */
  entityRef?: string;
  /** when set, every member of this deploy group is locked in the environment */
  deployGroup?: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt?: string;
}

export interface CreateLockRequest {
  environment: string;
  /** lock only this service (not with `deployGroup`) */
  entityRef?: string;
  /** lock every member of this deploy group (not with `entityRef`) */
  deployGroup?: string;
  reason: string;
  expiresAt?: string;
}

export interface Environment {
  name: string;
  executor: ExecutorKind;
  cluster?: string;
  namespace?: string;
  requireReason: boolean;
  /** environment-wide locks in force */
  locks: Lock[];
}

/** Where and how a deploy ran, as recorded by its executor. */
export interface DeployExecution {
  executor: ExecutorKind;
  /** local: the process id; kubernetes: cluster/namespace/job */
  handle?: string;
  cluster?: string;
  namespace?: string;
  jobName?: string;
}

export interface Deploy {
  id: string;
  entityRef: string;
  /** the service's owner when the deploy was requested */
  ownerRef?: string;
  environment: string;
  artifactId: string;
  artifactVersion: string;
  status: DeployStatus;
  dryRun: boolean;
  force: boolean;
  requestedBy: string;
  reason?: string;
  rollbackOf?: string;
  releaseId?: string;
  /** human-readable outcome, e.g. why it failed or was skipped */
  message?: string;
  exitCode?: number;
  execution?: DeployExecution;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface CreateDeployRequest {
  entityRef: string;
  environment: string;
  artifactId: string;
  dryRun?: boolean;
  force?: boolean;
  reason?: string;
}

export interface CreateRollbackRequest {
  entityRef: string;
  environment: string;
  reason?: string;
}

/** A page of a newest-first list; pass `nextCursor` back as `cursor`. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface DeployListQuery {
  entityRef?: string;
  environment?: string;
  status?: DeployStatus[];
  limit?: number;
  cursor?: string;
}

export interface ArtifactListQuery {
  entityRef?: string;
  limit?: number;
  cursor?: string;
}

/** What runs in one environment for one service. */
export interface EnvironmentState {
  environment: string;
  executor: ExecutorKind;
  requireReason: boolean;
  /** the artifact of the last successful, non-dry-run deploy */
  current?: { artifact: Artifact; deploy: Deploy };
  /** what a rollback would deploy: the last artifact that succeeded here before the current one */
  rollbackTarget?: Artifact;
  /** the most recent deploy of any status */
  lastDeploy?: Deploy;
  /** the lock in force for this service in this environment, if any */
  lock?: Lock;
}

export interface ServiceState {
  entityRef: string;
  environments: EnvironmentState[];
}

/** Catalog annotations that make a Component a deployable service. */
export const SLED_ANNOTATION_DEPLOY_COMMAND = 'sled.dev/deploy-command';
export const SLED_ANNOTATION_DEPLOYER_IMAGE = 'sled.dev/deployer-image';

// ------------------------------------------------------------------ releases

/** A release's status: `running` until every member ended or it was stopped. */
export type ReleaseStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * One member service of a release. `pending` until its deploy is created;
 * `not-started` when the release stopped (a failure or cancel) before its wave.
 */
export type ReleaseMemberStatus = DeployStatus | 'pending' | 'not-started';

export interface ReleaseMember {
  entityRef: string;
  /** 0-based wave */
  wave: number;
  artifactId: string;
  artifactVersion: string;
  deployId?: string;
  status: ReleaseMemberStatus;
  message?: string;
}

export interface Release {
  id: string;
  /** the DeployGroup entity ref */
  deployGroup: string;
  environment: string;
  status: ReleaseStatus;
  dryRun: boolean;
  requestedBy: string;
  reason?: string;
  /** the release this one rolls back */
  rollbackOf?: string;
  message?: string;
  members: ReleaseMember[];
  createdAt: string;
  finishedAt?: string;
}

export interface CreateReleaseRequest {
  deployGroup: string;
  environment: string;
  /** entity ref → artifact id; members not listed get their newest artifact */
  artifacts?: Record<string, string>;
  dryRun?: boolean;
  reason?: string;
}

export const isFinalReleaseStatus = (status: ReleaseStatus) =>
  status !== 'running';
