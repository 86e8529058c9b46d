import {
  AuditorService,
  AuditorServiceEvent,
  BackendFeature,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  AuthorizeResult,
  PolicyDecision,
  Permission,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  Deploy,
  isFinalDeployStatus,
  RELATION_DEPLOY_MEMBER_OF,
} from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import sledPlugin from '../index';
import { eventually } from './processes';

export const USER = mockCredentials.user.header();
export const CI = mockCredentials.service.header();
export const NONE = mockCredentials.none.header();

/** A deployable service Component whose catalog file lives in `dir`. */
export function serviceEntity(
  name: string,
  dir: string,
  options: { command?: string; owner?: string; deployGroup?: string } = {},
): Entity {
  const owner = options.owner ?? 'team-a';
  const relations = [{ type: 'ownedBy', targetRef: `group:default/${owner}` }];
  if (options.deployGroup) {
    relations.push({
      type: RELATION_DEPLOY_MEMBER_OF,
      targetRef: options.deployGroup,
    });
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'sled.dev/deploy-command': options.command ?? './deploy.sh',
        'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations,
  };
}

export function libraryEntity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'library', lifecycle: 'production', owner: 'team-a' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

export const defaultSledConfig: JsonObject = {
  environments: [
    { name: 'local', executor: 'local' },
    { name: 'production', executor: 'local', requireReason: true },
  ],
};

/** Decides every permission request (with its resource, if any); swap it per test. */
export type Decide = (
  permission: Permission,
  resourceRef?: string,
) => PolicyDecision;

/** The default decision of the API tests: everything but overriding locks. */
export const allowAllButLockOverride: Decide = permission => ({
  result:
    permission.name === 'sled.lock.override'
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW,
});

/** A well-formed id that names nothing. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** A permissions service that asks `decide()` at call time. */
export function switchablePermissions(decide: () => Decide) {
  const service: PermissionsService = {
    async authorize(requests) {
      return requests.map(r => {
        const decision = decide()(
          r.permission,
          'resourceRef' in r ? r.resourceRef : undefined,
        );
        if (decision.result === AuthorizeResult.CONDITIONAL) {
          throw new Error('conditional decision for a basic authorize call');
        }
        return { result: decision.result };
      }) as any;
    },
    async authorizeConditional(requests) {
      return requests.map(r => decide()(r.permission)) as any;
    },
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => service,
  });
}

export async function startSledBackend(options: {
  knex: Knex;
  entities: Entity[];
  sled?: JsonObject;
  /** more root config beside `sled` (e.g. `app.baseUrl` for other plugins) */
  config?: JsonObject;
  permissions?: ReturnType<typeof switchablePermissions>;
  /** more service factories or modules, such as {@link recordingAuditor} */
  features?: Array<BackendFeature>;
}): Promise<TestBackend> {
  return startTestBackend({
    features: [
      sledPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.rootConfig.factory({
        data: { ...options.config, sled: options.sled ?? defaultSledConfig },
      }),
      mockServices.database.factory({ knex: options.knex }),
      ...(options.permissions ? [options.permissions] : []),
      ...(options.features ?? []),
    ],
  });
}

/** Polls a deploy until it ends, and returns it. */
export async function waitForEnd(
  backend: TestBackend,
  id: string,
  timeoutMs = 20_000,
): Promise<Deploy> {
  return eventually(async () => {
    const res = await request(backend.server)
      .get(`/api/sled/deploys/${id}`)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    expect(isFinalDeployStatus(res.body.status)).toBe(true);
    return res.body as Deploy;
  }, timeoutMs);
}

/** Polls a deploy until it has the given status. */
export async function waitForStatus(
  backend: TestBackend,
  id: string,
  status: Deploy['status'],
  timeoutMs = 20_000,
): Promise<Deploy> {
  return eventually(async () => {
    const res = await request(backend.server)
      .get(`/api/sled/deploys/${id}`)
      .set('Authorization', USER);
    expect(res.body.status).toBe(status);
    return res.body as Deploy;
  }, timeoutMs);
}

/** Every row of every SLeD table: "nothing written" means this does not change. */
export async function snapshotTables(
  knex: Knex,
): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    sled_artifacts: 'seq',
    sled_deploys: 'seq',
    sled_deploy_logs: 'deploy_id,chunk',
    sled_locks: 'id',
    sled_idempotency: 'key',
  };
  const snapshot: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    snapshot[table] = await knex(table).select().orderBy(order.split(','));
  }
  return snapshot;
}

/** One audit event as the auditor received it, and how it ended. */
export interface RecordedAuditEvent {
  eventId: string;
  severityLevel?: string;
  meta?: Record<string, unknown>;
  outcome?: 'success' | 'fail';
  error?: string;
}

/**
 * An auditor that keeps every event it is given, in order: the test reads
 * `events` after the request.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: RecordedAuditEvent = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: options.meta as Record<string, unknown> | undefined,
      };
      events.push(event);
      const handle: AuditorServiceEvent = {
        async success(params) {
          event.outcome = 'success';
          event.meta = { ...event.meta, ...(params?.meta ?? {}) };
        },
        async fail(params) {
          event.outcome = 'fail';
          event.error = String(params.error?.message ?? params.error);
        },
      };
      return handle;
    },
  };
  return {
    events,
    factory: createServiceFactory({
      service: coreServices.auditor,
      deps: {},
      factory: () => auditor,
    }),
  };
}
