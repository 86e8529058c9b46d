import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { Deploy, EnvironmentState } from '@internal/plugin-sled-common';
import {
  findArtifact,
  sledError,
  SledRequestOptions,
  SledService,
} from '@internal/plugin-sled-node';

/**
 * SLeD's actions in Backstage's actions registry (`sled:deploy`,
 * `sled:rollback`, `sled:status`), for the MCP actions backend and other
 * callers of the actions service.
 *
 * Every action calls SLeD's REST API through {@link SledService} on behalf
 * of the caller's credentials, so it is authorized, validated and audited
 * exactly as the same request to `/api/sled` would be: a caller without
 * the permission is refused with SLeD's own 403 and nothing is written.
 */
export function registerSledActions(options: {
  actionsRegistry: ActionsRegistryService;
  sled: SledService;
}): void {
  const { actionsRegistry, sled } = options;

  actionsRegistry.register({
    name: 'status',
    title: 'What runs where for a service',
    description:
      'For each SLeD environment the caller may read: the version of a service that runs there (the last successful deploy), who deployed it and when, the last deploy of any status, what a rollback would deploy, and the lock in force.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .describe(
              'The service: an entity ref such as component:default/payments, or a component name such as payments',
            ),
          environment: z
            .string()
            .min(1)
            .optional()
            .describe('Only this environment, e.g. production'),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          environments: z.array(
            z.object({
              environment: z.string(),
              version: z
                .string()
                .optional()
                .describe('what runs there; absent when nothing was deployed'),
              artifactId: z.string().optional(),
              commitSha: z.string().optional(),
              deployedAt: z.string().optional(),
              deployedBy: z.string().optional(),
              lastDeploy: deploySummary(z).optional(),
              rollbackVersion: z
                .string()
                .optional()
                .describe('what a rollback would deploy'),
              lock: z
                .object({ reason: z.string(), createdBy: z.string() })
                .optional(),
            }),
          ),
        }),
    },
    examples: [
      {
        title: 'What is in production for payments',
        input: {
          entityRef: 'component:default/payments',
          environment: 'production',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entityRef = serviceRef(input.entityRef);
      const state = await call(() =>
        sled.getServiceState(entityRef, { credentials }),
      );
      const environments = state.environments.filter(
        e => !input.environment || e.environment === input.environment,
      );
      if (input.environment && !environments.length) {
        throw new NotFoundError(
          `environment: no environment '${input.environment}' where you may read ${state.entityRef}`,
        );
      }
      return {
        output: {
          entityRef: state.entityRef,
          environments: environments.map(environmentSummary),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'deploy',
    title: 'Deploy a version of a service',
    description:
      'Queues a SLeD deploy of one artifact of a service to an environment, as the caller (permission sled.deploy.create; the environment may require a reason, approvals, a promotion soak or a deploy window). Answers with the deploy as queued; sled:status or the deploy page shows how it ends.',
    attributes: { destructive: true, readOnly: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .describe(
              'The service: an entity ref such as component:default/payments, or a component name such as payments',
            ),
          environment: z.string().min(1).describe('e.g. staging'),
          version: z
            .string()
            .min(1)
            .optional()
            .describe('The artifact version to deploy (or give artifactId)'),
          artifactId: z
            .string()
            .uuid()
            .optional()
            .describe('The artifact to deploy (or give version)'),
          reason: z
            .string()
            .optional()
            .describe('Why; required by some environments'),
          dryRun: z.boolean().optional(),
        }),
      output: z => deploySummary(z),
    },
    examples: [
      {
        title: 'Deploy payments 1.4.0 to staging',
        input: {
          entityRef: 'component:default/payments',
          environment: 'staging',
          version: '1.4.0',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entityRef = serviceRef(input.entityRef);
      const artifactId = await artifactOf(
        { ...input, entityRef },
        { credentials },
      );
      const deploy = await call(() =>
        sled.createDeploy(
          {
            entityRef,
            environment: input.environment,
            artifactId,
            reason: input.reason,
            dryRun: input.dryRun,
          },
          { credentials },
        ),
      );
      return { output: toDeploySummary(deploy) };
    },
  });

  actionsRegistry.register({
    name: 'rollback',
    title: 'Roll a service back',
    description:
      'Queues a SLeD deploy of the artifact that succeeded in the environment before the one running now, as the caller (permission sled.deploy.create). Answers with the deploy as queued.',
    attributes: { destructive: true, readOnly: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .describe(
              'The service: an entity ref such as component:default/payments, or a component name such as payments',
            ),
          environment: z.string().min(1).describe('e.g. production'),
          reason: z
            .string()
            .optional()
            .describe('Why; required by some environments'),
        }),
      output: z => deploySummary(z),
    },
    action: async ({ input, credentials }) => {
      const deploy = await call(() =>
        sled.createRollback(
          {
            entityRef: serviceRef(input.entityRef),
            environment: input.environment,
            reason: input.reason,
          },
          { credentials },
        ),
      );
      return { output: toDeploySummary(deploy) };
    },
  });

  async function artifactOf(
    input: { entityRef: string; version?: string; artifactId?: string },
    request: SledRequestOptions,
  ): Promise<string> {
    if (input.artifactId && input.version) {
      throw new InputError('give either version or artifactId, not both');
    }
    if (input.artifactId) return input.artifactId;
    if (!input.version) {
      throw new InputError(
        'version: give the version to deploy (or artifactId)',
      );
    }
    const version = input.version;
    const artifact = await call(() =>
      findArtifact(sled, { entityRef: input.entityRef, version }, request),
    );
    if (!artifact) {
      throw new InputError(
        `version: ${input.entityRef} has no artifact ${version} you may read`,
      );
    }
    return artifact.id;
  }
}

/** The full ref of a service given by ref or by component name. */
function serviceRef(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
}

/** A SLeD call, rejecting with SLeD's own error (its status and message). */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw sledError(error);
  }
}

type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];

function deploySummary(z: Zod) {
  return z.object({
    deployId: z.string(),
    entityRef: z.string(),
    environment: z.string(),
    version: z.string(),
    status: z.string(),
    requestedBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    message: z.string().optional(),
  });
}

function toDeploySummary(deploy: Deploy) {
  return {
    deployId: deploy.id,
    entityRef: deploy.entityRef,
    environment: deploy.environment,
    version: deploy.artifactVersion,
    status: deploy.status,
    requestedBy: deploy.requestedBy,
    createdAt: deploy.createdAt,
    finishedAt: deploy.finishedAt,
    message: deploy.message,
  };
}

function environmentSummary(state: EnvironmentState) {
  return {
    environment: state.environment,
    version: state.current?.artifact.version,
    artifactId: state.current?.artifact.id,
    commitSha: state.current?.artifact.commitSha,
    deployedAt: state.current?.deploy.finishedAt,
    deployedBy: state.current?.deploy.requestedBy,
    lastDeploy: state.lastDeploy && toDeploySummary(state.lastDeploy),
    rollbackVersion: state.rollbackTarget?.version,
    lock: state.lock && {
      reason: state.lock.reason,
      createdBy: state.lock.createdBy,
    },
  };
}
