import { createHash } from 'crypto';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
import {
  findArtifact,
  sledError,
  SledRequestOptions,
  SledService,
} from '@internal/plugin-sled-node';
import { LogLines } from './LogLines';

/**
 * `sled:deploy`: deploys an artifact of a service to an environment as the
 * task's user, streams the deploy's log to the task while it runs and fails
 * the step unless the deploy succeeded (or was skipped: the artifact already
 * ran there).
 *
 * The deploy is requested with an Idempotency-Key of the task, step and
 * input, so a task that is retried or resumed follows the deploy it started
 * instead of starting another.
 *
 * @public
 */
export function createSledDeployAction(options: {
  sled: Pick<
    SledService,
    'createDeploy' | 'getDeploy' | 'followDeployLogs' | 'listArtifacts'
  >;
}) {
  const { sled } = options;
  return createTemplateAction({
    id: 'sled:deploy',
    description:
      'Deploys an artifact of a service with SLeD as the user who runs the template, and waits for the outcome, streaming the deploy log to the task',
    examples: [
      {
        description: 'Deploy version 1.4.0 of payments to staging and wait',
        example: [
          'steps:',
          '  - id: deploy',
          '    name: Deploy to staging',
          '    action: sled:deploy',
          '    input:',
          '      entityRef: component:default/payments',
          '      environment: staging',
          '      version: 1.4.0',
          '      reason: ${{ parameters.reason }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe('The service, e.g. component:default/payments'),
        environment: z =>
          z.string().min(1).describe('The environment, e.g. staging'),
        version: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe('The artifact version to deploy (or artifactId)'),
        artifactId: z =>
          z
            .string()
            .uuid()
            .optional()
            .describe('The artifact to deploy (or version)'),
        reason: z =>
          z.string().optional().describe('Why; some environments require it'),
        dryRun: z => z.boolean().optional(),
        force: z =>
          z
            .boolean()
            .optional()
            .describe('Deploy even when the artifact already runs there'),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Wait for the outcome, streaming the log (default true); false ends the step once the deploy is queued',
            ),
      },
      output: {
        deployId: z => z.string().describe('The deploy'),
        status: z =>
          z
            .string()
            .describe('Its status: the outcome, or as queued with wait: false'),
        version: z => z.string().describe('The artifact version deployed'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const request: SledRequestOptions = {
        credentials: await ctx.getInitiatorCredentials(),
      };
      try {
        const artifactId = await artifactOf(sled, input, request);
        const body = {
          entityRef: input.entityRef,
          environment: input.environment,
          artifactId,
          reason: input.reason,
          dryRun: input.dryRun,
          force: input.force,
        };
        const idempotencyKey = `scaffolder-${createHash('sha256')
          .update(
            JSON.stringify([ctx.task.id, ctx.step?.id, ctx.each ?? null, body]),
          )
          .digest('hex')}`;
        const queued = await sled.createDeploy(body, {
          ...request,
          idempotencyKey,
        });
        ctx.output('deployId', queued.id);
        ctx.output('version', queued.artifactVersion);
        ctx.logger.info(
          `Deploy ${queued.id}: ${queued.entityRef} ${queued.artifactVersion} to ${queued.environment}, ${queued.status}`,
        );
        if (input.wait === false) {
          ctx.output('status', queued.status);
          return;
        }
        const ended = await waitForDeploy(sled, queued, {
          ...request,
          signal: ctx.signal,
          log: line => ctx.logger.info(line),
        });
        ctx.output('status', ended.status);
        ctx.logger.info(
          `Deploy ${ended.id} ${ended.status}${
            ended.message ? `: ${ended.message}` : ''
          }`,
        );
        if (ended.status !== 'succeeded' && ended.status !== 'skipped') {
          throw new Error(
            `Deploy ${ended.id} of ${ended.entityRef} ${
              ended.artifactVersion
            } to ${ended.environment} ${ended.status}${
              ended.message ? `: ${ended.message}` : ''
            }`,
          );
        }
      } catch (error) {
        throw sledError(error);
      }
    },
  });
}

async function artifactOf(
  sled: Pick<SledService, 'listArtifacts'>,
  input: { entityRef: string; version?: string; artifactId?: string },
  request: SledRequestOptions,
): Promise<string> {
  if (input.artifactId && input.version) {
    throw new InputError('give either version or artifactId, not both');
  }
  if (input.artifactId) return input.artifactId;
  if (!input.version) {
    throw new InputError('version: give the version to deploy (or artifactId)');
  }
  const artifact = await findArtifact(
    sled,
    { entityRef: input.entityRef, version: input.version },
    request,
  );
  if (!artifact) {
    throw new InputError(
      `version: ${input.entityRef} has no artifact ${input.version} you may read`,
    );
  }
  return artifact.id;
}

/**
 * Follows a deploy's log until it ended, writing each line; a follow that
 * stops early (a dropped connection) is resumed after what was written.
 * Resolves with the deploy as it ended; rejects when `signal` aborts.
 */
export async function waitForDeploy(
  sled: Pick<SledService, 'getDeploy' | 'followDeployLogs'>,
  deploy: Deploy,
  options: SledRequestOptions & {
    signal?: AbortSignal;
    log: (line: string) => void;
  },
): Promise<Deploy> {
  const { log, signal, credentials } = options;
  let current = deploy;
  let seen = 0;
  const lines = new LogLines(log);
  // at least once: a deploy that already ended (a resumed task) shows its log
  do {
    let offset = 0;
    for await (const text of sled.followDeployLogs(current.id, {
      credentials,
      signal,
    })) {
      const fresh = text.slice(Math.max(0, seen - offset));
      offset += text.length;
      if (fresh) {
        lines.push(fresh);
        seen += fresh.length;
      }
    }
    signal?.throwIfAborted();
    const read = await sled.getDeploy(current.id, { credentials });
    if (!read) throw new Error(`Deploy ${current.id} is gone`);
    current = read;
  } while (!isFinalDeployStatus(current.status));
  lines.flush();
  return current;
}
