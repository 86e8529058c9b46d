import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ApprovalDecisionRequest,
  ApprovalList,
  Artifact,
  ArtifactChanges,
  ArtifactChangesQuery,
  ArtifactListQuery,
  CreateDeployRequest,
  CreateLockRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
  DeploymentMatrix,
  DeploymentMatrixQuery,
  DoraMetrics,
  DoraMetricsQuery,
  Environment,
  GateReport,
  Lock,
  Page,
  Release,
  ServiceState,
} from '@internal/plugin-sled-common';

/**
 * The SLeD backend as seen from the browser.
 *
 * @public
 */
export interface SledApi {
  listArtifacts(query: ArtifactListQuery): Promise<Page<Artifact>>;
  getArtifact(id: string): Promise<Artifact>;
  /**
   * What deploying an artifact to an environment brings (or, for an older
   * one, takes back): the artifacts between, in version order, with their
   * merge requests. With `deployId`, for that past deploy of it.
   */
  getArtifactChanges(
    id: string,
    query: ArtifactChangesQuery,
  ): Promise<ArtifactChanges>;
  listEnvironments(): Promise<Environment[]>;
  /**
   * Resolves to a `queued` deploy, an `awaiting_approval` one where the
   * environment requires approvals, or a `skipped` one when nothing would
   * change. A refusing gate rejects it with a 409 naming the gate, unless
   * `overrideGates` (with a reason) passes it.
   */
  createDeploy(request: CreateDeployRequest): Promise<Deploy>;
  /**
   * What the release gates would say, for the caller, of a deploy of an
   * artifact to an environment; nothing is written.
   */
  getGates(query: {
    entityRef: string;
    environment: string;
    artifactId: string;
  }): Promise<GateReport>;
  /** Who approved or rejected a deploy, and whether the caller may decide. */
  listDeployApprovals(id: string): Promise<ApprovalList>;
  /** Approves or rejects a deploy awaiting approval; resolves to the deploy after it. */
  decideDeployApproval(
    id: string,
    request: ApprovalDecisionRequest,
  ): Promise<Deploy>;
  /** Who approved or rejected a release (asked once for all its members), and whether the caller may decide. */
  listReleaseApprovals(id: string): Promise<ApprovalList>;
  /** Approves or rejects a release awaiting approval; resolves to the release after it. */
  decideReleaseApproval(
    id: string,
    request: ApprovalDecisionRequest,
  ): Promise<Release>;
  listDeploys(query: DeployListQuery): Promise<Page<Deploy>>;
  /**
   * DORA figures of a service, a deploy group, an owner or everything the
   * caller may read, over a window and the one before it.
   */
  getDoraMetrics(query: DoraMetricsQuery): Promise<DoraMetrics>;
  getDeploy(id: string): Promise<Deploy>;
  /** The full log captured so far. */
  getDeployLogs(id: string): Promise<string>;
  /**
   * Streams the log of a deploy until it ends, calling `onChunk` with each
   * piece of text as it arrives. Resolves when the stream ends; rejects with
   * an `AbortError` when `signal` aborts.
   */
  followDeployLogs(
    id: string,
    onChunk: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  cancelDeploy(id: string): Promise<Deploy>;
  createRollback(request: CreateRollbackRequest): Promise<Deploy>;
  getServiceState(entityRef: string): Promise<ServiceState>;
  /**
   * Every deployable service × every environment the caller may read: the
   * version that runs, drift, open deploys, locks and deploy windows.
   */
  getDeployments(query: DeploymentMatrixQuery): Promise<DeploymentMatrix>;
  createLock(request: CreateLockRequest): Promise<Lock>;
  /** Active locks; with `entityRef` or `deployGroup`, those that apply to it. */
  listLocks(query: {
    environment?: string;
    entityRef?: string;
    deployGroup?: string;
  }): Promise<Lock[]>;
  deleteLock(id: string): Promise<void>;
  /** Starts a release of a deploy group; resolves to it `running`. */
  createRelease(request: CreateReleaseRequest): Promise<Release>;
  /** Newest first. */
  listReleases(query: {
    deployGroup: string;
    limit?: number;
  }): Promise<Release[]>;
  getRelease(id: string): Promise<Release>;
  cancelRelease(id: string): Promise<Release>;
  /** A new release of the previous successful release's artifacts. */
  rollbackRelease(id: string, reason?: string): Promise<Release>;
}

/**
 * @public
 */
export const sledApiRef = createApiRef<SledApi>().with({
  id: 'plugin.sled.api',
  pluginId: 'sled',
});
