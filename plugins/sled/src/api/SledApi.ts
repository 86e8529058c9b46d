import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  Artifact,
  ArtifactListQuery,
  CreateDeployRequest,
  CreateLockRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
  Environment,
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
  /** Resolves to a `queued` deploy, or a `skipped` one when nothing would change. */
  createDeploy(request: CreateDeployRequest): Promise<Deploy>;
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
