import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Artifact,
  CreateDeployRequest,
  Deploy,
  DeployListQuery,
  Environment,
  Page,
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
}
