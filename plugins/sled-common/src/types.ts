import type { components, operations } from './generated/openapi';

/**
 * Status of a deploy. `skipped` means the artifact was already what runs
 * there; `lost` that its Job vanished before its outcome was recorded.
 */
export type DeployStatus = components['schemas']['DeployStatus'];

/** Every status of a deploy, in the order a deploy goes through them. */
export const DEPLOY_STATUSES = [
  'awaiting_approval',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'lost',
  'rejected',
  'expired',
  'skipped',
] as const satisfies ReadonlyArray<DeployStatus>;
// and every status of the spec is listed (this fails to compile otherwise)
const allStatusesListed: [
  Exclude<DeployStatus, (typeof DEPLOY_STATUSES)[number]>,
] extends [never]
  ? true
  : never = true;
void allStatusesListed;

/** Statuses after which a deploy never changes again. */
export const FINAL_DEPLOY_STATUSES: ReadonlyArray<DeployStatus> = [
  'succeeded',
  'failed',
  'cancelled',
  'lost',
  'rejected',
  'expired',
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

/**
 * The request and response types of the REST API, generated from
 * plugins/sled-backend/openapi.yaml (`yarn generate:openapi`): the spec is the
 * one description of the API, and these are its names.
 */
type Schemas = components['schemas'];

export type MergeRequest = Schemas['MergeRequest'];
/**
 * How an artifact is deployed: the deploy script may travel with it, inside a
 * deployer image. The command always comes from the catalog entity; the image
 * must be pinned by digest and allowed by `sled.kubernetes.allowedImages`.
 */
export type ArtifactDeploySpec = Schemas['ArtifactDeploySpec'];
/** An immutable, deployable build of one service. */
export type Artifact = Schemas['Artifact'];
export type RegisterArtifactRequest = Schemas['RegisterArtifactRequest'];
export type ExecutorKind = Schemas['ExecutorKind'];
/** A lock on an environment, or on one service or deploy group in it. */
export type Lock = Schemas['Lock'];
export type CreateLockRequest = Schemas['CreateLockRequest'];
export type Environment = Schemas['Environment'];
/** Where and how a deploy ran, as recorded by its executor. */
export type DeployExecution = Schemas['DeployExecution'];
export type Deploy = Schemas['Deploy'];
export type CreateDeployRequest = Schemas['CreateDeployRequest'];
export type CreateRollbackRequest = Schemas['CreateRollbackRequest'];
/** One CI check's result for an artifact. */
export type ArtifactCheck = Schemas['ArtifactCheck'];
/** An artifact as a change list shows it. */
export type ArtifactSummary = Schemas['ArtifactSummary'];
/** A merge request of an artifact in a change list. */
export type ChangedMergeRequest = Schemas['ChangedMergeRequest'];
/** What deploying an artifact to an environment changes (`GET /artifacts/{id}/changes`). */
export type ArtifactChanges = Schemas['ArtifactChanges'];
/** `GET /artifacts/{id}/changes`. */
export type ArtifactChangesQuery = NonNullable<
  operations['getArtifactChanges']['parameters']['query']
>;

// --------------------------------------------------------------------- gates

/** The release gates of an environment: promotion, approvals, deploy windows. */
export type EnvironmentGates = Schemas['EnvironmentGates'];
export type DeployWindow = Schemas['DeployWindow'];
/** Whether an environment's deploy windows let deploys start now, and until when. */
export type WindowState = Schemas['WindowState'];
/** One gate's verdict on a deploy. */
export type Gate = Schemas['Gate'];
/** Every gate's verdict on a deploy of an artifact to an environment, for the caller. */
export type GateReport = Schemas['GateReport'];
export type Approval = Schemas['Approval'];
export type ApprovalList = Schemas['ApprovalList'];
export type ApprovalDecisionRequest = Schemas['ApprovalDecisionRequest'];

/** A page of a newest-first list; pass `nextCursor` back as `cursor`. */
export type Page<T> = Omit<Schemas['DeployPage'], 'items'> & { items: T[] };

type ListDeploysQuery = NonNullable<
  operations['listDeploys']['parameters']['query']
>;
/** `GET /deploys`, with the statuses as a list (the wire format joins them with commas). */
export type DeployListQuery = Pick<
  ListDeploysQuery,
  'entityRef' | 'environment' | 'limit' | 'cursor'
> & { status?: DeployStatus[] };
export type ArtifactListQuery = Pick<
  NonNullable<operations['listArtifacts']['parameters']['query']>,
  'entityRef' | 'limit' | 'cursor'
>;

// ------------------------------------------------------------------- metrics

/** A duration measured many times: how many, their median and mean. */
export type DoraDuration = Schemas['DoraDuration'];
/** The four DORA figures over one window. */
export type DoraFigures = Schemas['DoraFigures'];
/** DORA figures of a window and of the one before it (`GET /metrics/dora`). */
export type DoraMetrics = Schemas['DoraMetrics'];
/** `GET /metrics/dora`: at most one of entityRef, deployGroup and owner. */
export type DoraMetricsQuery = NonNullable<
  operations['getDoraMetrics']['parameters']['query']
>;

/** What runs in one environment for one service. */
export type EnvironmentState = Schemas['EnvironmentState'];
export type ServiceState = Schemas['ServiceState'];

/** `GET /deployments`: every deployable service × every environment. */
export type DeploymentMatrix = Schemas['DeploymentMatrix'];
export type DeploymentRow = Schemas['DeploymentRow'];
export type DeploymentCell = Schemas['DeploymentCell'];
export type DeploymentEnvironment = Schemas['DeploymentEnvironment'];
/** `GET /deployments`: at most one of each filter. */
export type DeploymentMatrixQuery = NonNullable<
  operations['getDeployments']['parameters']['query']
>;

/** Catalog annotations that make a Component a deployable service. */
export const SLED_ANNOTATION_DEPLOY_COMMAND = 'sled.dev/deploy-command';
export const SLED_ANNOTATION_DEPLOYER_IMAGE = 'sled.dev/deployer-image';

// ------------------------------------------------------------------ releases

/** A release's status: `running` until every member ended or it was stopped. */
export type ReleaseStatus = Schemas['ReleaseStatus'];

/**
 * One member service of a release. `pending` until its deploy is created;
 * `not-started` when the release stopped (a failure or cancel) before its wave.
 */
export type ReleaseMemberStatus = Schemas['ReleaseMemberStatus'];
export type ReleaseMember = Schemas['ReleaseMember'];
export type Release = Schemas['Release'];
export type CreateReleaseRequest = Schemas['CreateReleaseRequest'];

/** A release has ended: neither waiting for approval nor running. */
export const isFinalReleaseStatus = (status: ReleaseStatus) =>
  status !== 'running' && status !== 'awaiting_approval';
