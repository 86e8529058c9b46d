/* eslint-disable new-cap -- openapi-fetch names its methods after HTTP verbs (client.POST) */
import {
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  Artifact,
  createSledApiClient,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { createHash } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';
import { EnvironmentConfig } from '@internal/plugin-sled-node';
import { DeployStore, PastDeploy } from '../database/DeployStore';
import { DeployableService, ServiceCatalog } from '../service/ServiceCatalog';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Versions each example service gets, oldest first. */
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0'];
const TITLES = [
  'Retry calls to the ledger with backoff',
  'Add a health check for the database pool',
  'Log the request id with every error',
  'Cache the exchange rates for a minute',
];
/** Who example deploys are requested by: clearly not a person. */
export const EXAMPLE_REQUESTER = 'service:sled-example-data';

export interface ExampleDataOptions {
  store: DeployStore;
  services: ServiceCatalog;
  environments: EnvironmentConfig[];
  /** the plugin's base URL (`discovery.getBaseUrl('sled')`) */
  baseUrl: () => Promise<string>;
  /** the token CI registers artifacts with */
  token: string;
  logger: LoggerService;
  now?: () => Date;
  /** between looks at a catalog still being processed; default 2 s */
  pollMs?: number;
}

/**
 * Example data for a first run in development (`sled.development.exampleData`):
 * when the database holds no artifact, every deployable service in the
 * catalog gets a few artifacts, registered through the REST API with the CI
 * token exactly as CI registers them, and a deploy history in the past (a
 * version per environment, older further along, one failed attempt in the
 * last environment). It runs once: afterwards the database is not empty.
 */
export class ExampleData {
  private readonly client = createSledApiClient({
    fetch: request => fetch(request),
  });
  private readonly now: () => Date;

  /** The example data of the config, if it asks for it (and names a CI token). */
  static fromConfig(
    config: RootConfigService,
    options: Omit<ExampleDataOptions, 'baseUrl' | 'token'> & {
      discovery: DiscoveryService;
    },
  ): ExampleData | undefined {
    if (!config.getOptionalBoolean('sled.development.exampleData')) {
      return undefined;
    }
    const token = config
      .getOptionalConfigArray('backend.auth.externalAccess')
      ?.find(
        access =>
          access.getOptionalString('type') === 'static' &&
          access.getOptionalString('options.subject') === 'ci',
      )
      ?.getString('options.token');
    if (!token) {
      options.logger.warn(
        'sled.development.exampleData is on, but no static externalAccess token has the subject ci: no example data',
      );
      return undefined;
    }
    return new ExampleData({
      ...options,
      token,
      baseUrl: () => options.discovery.getBaseUrl('sled'),
    });
  }

  constructor(private readonly options: ExampleDataOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Creates the example data unless the database already holds artifacts;
   * waits for the catalog to list the services and for the API to answer.
   * Resolves with how many artifacts it registered (0: none were needed).
   */
  async run(signal?: AbortSignal): Promise<number> {
    const { store, logger } = this.options;
    const existing = await store.listArtifacts({ limit: 1 });
    if (existing.items.length) return 0;
    const services = await this.servicesOnceProcessed(signal);
    if (!services.length) {
      logger.warn('no deployable service in the catalog: no example data');
      return 0;
    }
    const past: PastDeploy[] = [];
    let registered = 0;
    for (const service of services) {
      const artifacts: Artifact[] = [];
      for (const [i, version] of VERSIONS.entries()) {
        artifacts.push(
          await this.register(this.artifactOf(service, version, i), signal),
        );
        registered++;
      }
      past.push(...this.historyOf(service, artifacts));
    }
    // in the order they happened: history, state and search read them so
    past.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const deploy of past) await store.recordPastDeploy(deploy);
    logger.info(
      `example data: ${registered} artifacts of ${services.length} services, ${past.length} past deploys`,
    );
    return registered;
  }

  /** The services, once the catalog lists the same ones twice in a row. */
  private async servicesOnceProcessed(signal?: AbortSignal) {
    const pollMs = this.options.pollMs ?? 2000;
    let previous = '';
    for (;;) {
      signal?.throwIfAborted();
      const services = await this.options.services.listDeployable();
      const names = services
        .map(s => s.entityRef)
        .sort()
        .join();
      if (services.length && names === previous) return services;
      previous = names;
      await sleep(pollMs, undefined, { signal });
    }
  }

  /** Registers through the API; retries while the backend does not listen yet. */
  private async register(
    body: RegisterArtifactRequest,
    signal?: AbortSignal,
  ): Promise<Artifact> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const { data } = await this.client.POST('/artifacts', {
          baseUrl: await this.options.baseUrl(),
          headers: { Authorization: `Bearer ${this.options.token}` },
          body,
        });
        return data!;
      } catch (error) {
        // a refused connection: the HTTP server starts after the plugins
        const refused = (error as { cause?: { code?: string } }).cause?.code;
        if (refused !== 'ECONNREFUSED' || attempt >= 60) throw error;
        await sleep(1000, undefined, { signal });
      }
    }
  }

  private artifactOf(
    service: DeployableService,
    version: string,
    index: number,
  ): RegisterArtifactRequest {
    const name = service.entityRef.replace(/^.*\//, '');
    const mergedAt = new Date(
      this.now().getTime() - (VERSIONS.length - index) * 2 * DAY_MS,
    );
    const number = 100 + index;
    return {
      entityRef: service.entityRef,
      version,
      commitSha: createHash('sha1')
        .update(`${service.entityRef}@${version}`)
        .digest('hex'),
      mergeRequest: {
        url: `https://git.example.com/example/${name}/-/merge_requests/${number}`,
        title: `${TITLES[index % TITLES.length]} (example)`,
        mergedAt: mergedAt.toISOString(),
      },
      buildUrl: `https://ci.example.com/example/${name}/builds/${number}`,
      // what CI pushed: the service's image, pinned by digest, which its
      // deploy script (libdeploy) deploys
      image: `ghcr.io/example/${name}@sha256:${createHash('sha256')
        .update(`${service.entityRef}@${version}`)
        .digest('hex')}`,
    };
  }

  /**
   * Environment i (in config order) runs version n-2-i (the newest version
   * is never deployed, so there is something to deploy): each version up to
   * it was deployed there in turn, a day apart, later in later environments;
   * the last environment also saw one failed attempt of the next version.
   */
  private historyOf(
    service: DeployableService,
    artifacts: Artifact[],
  ): PastDeploy[] {
    const { environments } = this.options;
    const start = this.now().getTime() - 8 * DAY_MS;
    const deploys: PastDeploy[] = [];
    environments.forEach((env, i) => {
      const runs = Math.max(0, artifacts.length - 2 - i);
      const last = i === environments.length - 1;
      const upTo = last ? Math.min(runs + 1, artifacts.length - 1) : runs;
      for (let k = 0; k <= upTo; k++) {
        const failed = last && k > runs;
        const createdAt = new Date(
          start + k * 2 * DAY_MS + (i + 1) * 3 * HOUR_MS,
        );
        const artifact = artifacts[k];
        deploys.push({
          entityRef: service.entityRef,
          ownerRef: service.ownerRef,
          environment: env.name,
          artifact,
          status: failed ? 'failed' : 'succeeded',
          requestedBy: EXAMPLE_REQUESTER,
          reason: env.requireReason
            ? `example history: release of ${artifact.version}`
            : undefined,
          message: failed ? 'exited with code 1' : undefined,
          exitCode: failed ? 1 : 0,
          launch: {
            command: service.command,
            workingDirectory: service.workingDirectory,
          },
          createdAt,
          finishedAt: new Date(createdAt.getTime() + 40_000),
          log: [
            `$ ${service.command.join(' ')}`,
            `deploying ${service.entityRef} ${artifact.version} to ${env.name} (example history, not a real deploy)`,
            failed
              ? 'health check failed: 2 of 3 instances did not become ready'
              : 'all instances healthy',
            '',
          ].join('\n'),
        });
      }
    });
    return deploys;
  }
}
