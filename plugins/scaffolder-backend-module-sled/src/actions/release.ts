import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Release, ReleaseMember } from '@internal/plugin-sled-common';
import {
  sledError,
  SledRequestOptions,
  SledService,
} from '@internal/plugin-sled-node';
import { waitForDeploy } from './deploy';

const POLL_MS = 2000;

/** A release still to wait for: running, or waiting for its approvals first. */
const isWaiting = (status: string) =>
  status === 'running' || status === 'awaiting_approval';

/**
 * `sled:release`: releases a deploy group to an environment as the task's
 * user, and waits for the release to end: each member's status as it
 * changes, and each member deploy's log (its lines prefixed with the
 * member), are written to the task. Fails the step unless the release
 * succeeded.
 *
 * The release id is kept in a task checkpoint, so a task that is retried or
 * resumed follows the release it started instead of starting another.
 *
 * @public
 */
export function createSledReleaseAction(options: {
  sled: Pick<
    SledService,
    'createRelease' | 'getRelease' | 'getDeploy' | 'followDeployLogs'
  >;
  /** how often the release is read while it runs (ms) */
  pollIntervalMs?: number;
}) {
  const { sled } = options;
  const pollMs = options.pollIntervalMs ?? POLL_MS;
  return createTemplateAction({
    id: 'sled:release',
    description:
      'Releases a deploy group with SLeD as the user who runs the template (its members in waves), and waits for the outcome, streaming the member deploys’ logs to the task',
    examples: [
      {
        description: 'Release the checkout deploy group to production',
        example: [
          'steps:',
          '  - id: release',
          '    name: Release checkout',
          '    action: sled:release',
          '    input:',
          '      deployGroup: deploygroup:default/checkout',
          '      environment: production',
          '      reason: ${{ parameters.reason }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        deployGroup: z =>
          z
            .string()
            .min(1)
            .describe('The DeployGroup, e.g. deploygroup:default/checkout'),
        environment: z =>
          z.string().min(1).describe('The environment, e.g. production'),
        artifacts: z =>
          z
            .record(z.string().uuid())
            .optional()
            .describe(
              'Member entity ref → artifact id; other members get their newest artifact',
            ),
        reason: z =>
          z.string().optional().describe('Why; some environments require it'),
        dryRun: z => z.boolean().optional(),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Wait for the outcome (default true); false ends the step once the release started',
            ),
      },
      output: {
        releaseId: z => z.string().describe('The release'),
        status: z =>
          z
            .string()
            .describe('Its status: the outcome, or running with wait: false'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const request: SledRequestOptions = {
        credentials: await ctx.getInitiatorCredentials(),
      };
      try {
        const releaseId = await ctx.checkpoint({
          key: `sled-release-${ctx.step?.id ?? 'release'}-${JSON.stringify(
            ctx.each ?? null,
          )}`,
          fn: async () => {
            const created = await sled.createRelease(
              {
                deployGroup: input.deployGroup,
                environment: input.environment,
                artifacts: input.artifacts,
                reason: input.reason,
                dryRun: input.dryRun,
              },
              request,
            );
            return created.id;
          },
        });
        ctx.output('releaseId', releaseId);
        let release = await read(releaseId);
        ctx.logger.info(
          `Release ${release.id}: ${release.deployGroup} to ${release.environment}, ${release.members.length} members, ${release.status}`,
        );
        if (input.wait === false) {
          ctx.output('status', release.status);
          return;
        }

        const statuses = new Map<string, string>();
        const following = new Map<string, Promise<void>>();
        const follow = async (member: ReleaseMember) => {
          const deploy = await sled.getDeploy(member.deployId!, request);
          if (!deploy) return;
          await waitForDeploy(sled, deploy, {
            ...request,
            signal: ctx.signal,
            log: line => ctx.logger.info(`[${member.entityRef}] ${line}`),
          });
        };

        const report = (r: Release) => {
          for (const member of r.members) {
            if (statuses.get(member.entityRef) !== member.status) {
              statuses.set(member.entityRef, member.status);
              ctx.logger.info(
                `${member.entityRef} (wave ${member.wave + 1}, ${
                  member.artifactVersion
                }): ${member.status}${
                  member.message ? ` — ${member.message}` : ''
                }`,
              );
            }
            if (member.deployId && !following.has(member.deployId)) {
              following.set(
                member.deployId,
                follow(member).catch(error =>
                  ctx.logger.warn(
                    `Could not follow the log of ${member.entityRef}: ${error}`,
                  ),
                ),
              );
            }
          }
        };
        report(release);
        while (isWaiting(release.status)) {
          await sleep(pollMs, ctx.signal);
          const previous = release.status;
          release = await read(releaseId);
          if (release.status !== previous && isWaiting(release.status)) {
            ctx.logger.info(`Release ${release.id}: ${release.status}`);
          }
          report(release);
        }
        await Promise.all(following.values());
        ctx.output('status', release.status);
        ctx.logger.info(
          `Release ${release.id} ${release.status}${
            release.message ? `: ${release.message}` : ''
          }`,
        );
        if (release.status !== 'succeeded') {
          throw new Error(
            `Release ${release.id} of ${release.deployGroup} to ${
              release.environment
            } ${release.status}${
              release.message ? `: ${release.message}` : ''
            }`,
          );
        }
      } catch (error) {
        throw sledError(error);
      }

      async function read(id: string): Promise<Release> {
        const release = await sled.getRelease(id, request);
        if (!release) throw new Error(`Release ${id} is gone`);
        return release;
      }
    },
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    };
    timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
