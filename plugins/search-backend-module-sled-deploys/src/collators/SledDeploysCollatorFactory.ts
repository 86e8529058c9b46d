/* eslint-disable new-cap -- openapi-fetch names its methods after HTTP verbs (client.GET) */
import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { DocumentCollatorFactory } from '@backstage/plugin-search-common';
import {
  createSledApiClient,
  Deploy,
  SLED_DEPLOY_DOCUMENT_TYPE,
  SledDeployDocument,
  sledReadPermission,
  stringifySledTargetRef,
} from '@internal/plugin-sled-common';
import { Readable } from 'stream';
import { readWindowDays } from './config';

const DAY_MS = 24 * 60 * 60 * 1000;
/** artifact ids per request: the sled API's maximum */
const ARTIFACT_BATCH = 100;

/** What the documents need from an artifact; small, so the cache stays small. */
interface ArtifactSummary {
  commitSha: string;
  mergeRequestTitle: string;
}

/** @public */
export interface SledDeploysCollatorFactoryOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  /** deploys created within this many days are indexed; default 30 */
  windowDays?: number;
  /** deploys per request to the sled API (1–500); default 500 */
  pageSize?: number;
  /** artifacts kept between pages (a deploy wave reuses them); default 2,000 */
  artifactCacheSize?: number;
  /** parallel artifact batch requests; default 2 */
  artifactConcurrency?: number;
  /** the clock, for tests */
  now?: () => Date;
}

/**
 * Collates recent SLeD deploys into `sled-deploy` search documents.
 *
 * Reads `GET /api/sled/deploys` newest first, one page at a time, as the
 * search backend pulls documents from the stream, so memory stays flat
 * however many deploys there are. Stops at the window's start.
 *
 * @public
 */
export class SledDeploysCollatorFactory implements DocumentCollatorFactory {
  readonly type = SLED_DEPLOY_DOCUMENT_TYPE;
  readonly visibilityPermission = sledReadPermission;

  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly windowDays: number;
  private readonly pageSize: number;
  private readonly artifactCacheSize: number;
  private readonly artifactConcurrency: number;
  private readonly now: () => Date;
  /** the sled API, typed by its OpenAPI document */
  private readonly client = createSledApiClient({
    // the global fetch as it is when a request is made (tests spy on it)
    fetch: request => fetch(request),
  });

  static fromConfig(
    config: Config,
    options: Omit<SledDeploysCollatorFactoryOptions, 'windowDays'>,
  ): SledDeploysCollatorFactory {
    return new SledDeploysCollatorFactory({
      ...options,
      windowDays: readWindowDays(config),
    });
  }

  constructor(options: SledDeploysCollatorFactoryOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.logger = options.logger;
    this.windowDays = options.windowDays ?? 30;
    this.pageSize = Math.min(500, Math.max(1, options.pageSize ?? 500));
    // at least one page, so a page's own artifacts are never evicted before use
    this.artifactCacheSize = Math.max(
      this.pageSize,
      options.artifactCacheSize ?? 2000,
    );
    this.artifactConcurrency = options.artifactConcurrency ?? 2;
    this.now = options.now ?? (() => new Date());
  }

  async getCollator(): Promise<Readable> {
    return Readable.from(this.execute());
  }

  async *execute(): AsyncGenerator<SledDeployDocument> {
    const baseUrl = await this.discovery.getBaseUrl('sled');
    const cutoff = new Date(this.now().getTime() - this.windowDays * DAY_MS);
    const artifacts = new Map<string, ArtifactSummary | null>();
    let cursor: string | undefined;
    let count = 0;
    do {
      const { token } = await this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'sled',
      });
      const { data: page } = await this.client.GET('/deploys', {
        baseUrl,
        headers: { Authorization: `Bearer ${token}` },
        params: {
          query: {
            limit: this.pageSize,
            createdAfter: cutoff.toISOString(),
            ...(cursor ? { cursor } : {}),
          },
        },
      });
      cursor = page!.nextCursor;

      await this.loadArtifacts(baseUrl, token, page!.items, artifacts);
      for (const deploy of page!.items) {
        // newest first: the first deploy before the window ends the run
        if (new Date(deploy.createdAt) < cutoff) {
          cursor = undefined;
          break;
        }
        count++;
        yield toDocument(deploy, artifacts.get(deploy.artifactId) ?? undefined);
      }
    } while (cursor);
    this.logger.info(
      `Collated ${count} sled deploys of the last ${this.windowDays} days`,
    );
  }

  /**
   * Fetches the page's artifacts that are not cached yet, in batches of
   * `GET /artifacts?ids=` (one request per artifact costs a few milliseconds
   * each: far too slow for 100,000 deploys).
   */
  private async loadArtifacts(
    baseUrl: string,
    token: string,
    deploys: Deploy[],
    cache: Map<string, ArtifactSummary | null>,
  ): Promise<void> {
    const missing = [...new Set(deploys.map(d => d.artifactId))].filter(
      id => !cache.has(id),
    );
    const batches: string[][] = [];
    for (let i = 0; i < missing.length; i += ARTIFACT_BATCH) {
      batches.push(missing.slice(i, i + ARTIFACT_BATCH));
    }
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const found = await this.fetchArtifacts(baseUrl, token, batch);
        for (const id of batch) {
          cache.set(id, found.get(id) ?? null);
          if (cache.size > this.artifactCacheSize) {
            // Maps iterate in insertion order: drop the oldest entry
            cache.delete(cache.keys().next().value!);
          }
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.artifactConcurrency, batches.length) },
        worker,
      ),
    );
  }

  private async fetchArtifacts(
    baseUrl: string,
    token: string,
    ids: string[],
  ): Promise<Map<string, ArtifactSummary>> {
    const found = new Map<string, ArtifactSummary>();
    try {
      const { data: page } = await this.client.GET('/artifacts', {
        baseUrl,
        headers: { Authorization: `Bearer ${token}` },
        params: { query: { ids: ids.join(','), limit: ids.length } },
      });
      for (const artifact of page!.items) {
        found.set(artifact.id, {
          commitSha: artifact.commitSha ?? '',
          mergeRequestTitle: artifact.mergeRequest?.title ?? '',
        });
      }
    } catch (error) {
      // the deploys are still worth finding without commit and merge request
      this.logger.warn(
        `Could not read sled artifacts ${ids.join(', ')}: ${error}`,
      );
    }
    return found;
  }
}

/** `/catalog/<namespace>/<kind>/<name>/sled-history?deploy=<id>` */
function historyLocation(entityRef: string, deployId: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const segments = [namespace, kind.toLocaleLowerCase('en-US'), name].map(
    encodeURIComponent,
  );
  return `/catalog/${segments.join(
    '/',
  )}/sled-history?deploy=${encodeURIComponent(deployId)}`;
}

export function toDocument(
  deploy: Deploy,
  artifact: ArtifactSummary | undefined,
): SledDeployDocument {
  const { name } = parseEntityRef(deploy.entityRef);
  const commitSha = artifact?.commitSha ?? '';
  const mergeRequestTitle = artifact?.mergeRequestTitle ?? '';
  const text = [
    `${deploy.dryRun ? 'Dry run requested' : 'Deployed'} by ${
      deploy.requestedBy
    }: ${deploy.status}.`,
    deploy.reason && `Reason: ${deploy.reason}.`,
    commitSha && `Commit ${commitSha}.`,
    mergeRequestTitle && `Merge request: ${mergeRequestTitle}.`,
    deploy.message,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    title: `${name} ${deploy.artifactVersion} → ${deploy.environment}${
      deploy.dryRun ? ' (dry run)' : ''
    }`,
    text,
    location: historyLocation(deploy.entityRef, deploy.id),
    authorization: {
      resourceRef: stringifySledTargetRef({
        entityRef: deploy.entityRef,
        environment: deploy.environment,
      }),
    },
    deployId: deploy.id,
    entityRef: deploy.entityRef,
    environment: deploy.environment,
    status: deploy.status,
    version: deploy.artifactVersion,
    createdAt: deploy.createdAt,
    requestedBy: deploy.requestedBy,
    commitSha,
    mergeRequestTitle,
  };
}
