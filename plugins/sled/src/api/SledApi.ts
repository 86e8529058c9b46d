import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ApprovalDecisionRequest,
  ApprovalList,
  Artifact,
  ArtifactListQuery,
  CreateDeployRequest,
  CreateLockRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
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
  listDeploys(query: DeployListQuery): Promise<Page<Deploy>>;
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
