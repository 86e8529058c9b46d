import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Artifact,
  ArtifactListQuery,
  CreateDeployRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
  Environment,
  Page,
  Release,
  ServiceState,
} from '@internal/plugin-sled-common';

/**
 * Who a call to SLeD is made for: the credentials of the request a plugin
 * serves (`httpAuth.credentials(req)`), or its own
 * (`auth.getOwnServiceCredentials()`). SLeD authorizes the call as them.
 *
 * @public
 */
export interface SledRequestOptions {
  credentials: BackstageCredentials;
}

/**
 * SLeD's REST API for other backend plugins.
 *
 * @public
 */
export interface SledService {
  listEnvironments(options: SledRequestOptions): Promise<Environment[]>;
  /** A page of deploys, newest first; pass `nextCursor` back as `cursor`. */
  listDeploys(
    query: DeployListQuery,
    options: SledRequestOptions,
  ): Promise<Page<Deploy>>;
  /** The deploy, or undefined when it is missing or not readable. */
  getDeploy(
    id: string,
    options: SledRequestOptions,
  ): Promise<Deploy | undefined>;
  /** The deploy's output so far, as it wrote it. */
  getDeployLogs(id: string, options: SledRequestOptions): Promise<string>;
  getArtifact(
    id: string,
    options: SledRequestOptions,
  ): Promise<Artifact | undefined>;
  /**
   * Queues a deploy (or answers with a `skipped` one, or with an earlier one
   * for a reused `idempotencyKey`). Rejects with SLeD's error: 400 naming the
   * field, 403, 409 for a lock or a deploy check that refused it.
   */
  createDeploy(
    request: CreateDeployRequest,
    options: SledRequestOptions & { idempotencyKey?: string },
  ): Promise<Deploy>;
  /**
   * The deploy's output from the start, then as it grows, until the deploy
   * ended (`GET /deploys/{id}/logs?follow=true`); stops early on `signal`.
   */
  followDeployLogs(
    id: string,
    options: SledRequestOptions & { signal?: AbortSignal },
  ): AsyncIterable<string>;
  /** A page of a service's artifacts, newest first. */
  listArtifacts(
    query: ArtifactListQuery,
    options: SledRequestOptions,
  ): Promise<Page<Artifact>>;
  /** Per environment the caller may read: what runs, the last deploy, the lock. */
  getServiceState(
    entityRef: string,
    options: SledRequestOptions,
  ): Promise<ServiceState>;
  /** Queues a deploy of the artifact that ran before the current one. */
  createRollback(
    request: CreateRollbackRequest,
    options: SledRequestOptions,
  ): Promise<Deploy>;
  /** Starts a release of a deploy group (its members in waves). */
  createRelease(
    request: CreateReleaseRequest,
    options: SledRequestOptions,
  ): Promise<Release>;
  /** The release with the members the caller may read, or undefined. */
  getRelease(
    id: string,
    options: SledRequestOptions,
  ): Promise<Release | undefined>;
}
