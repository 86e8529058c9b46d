import {
  Deploy,
  isFinalDeployStatus,
  ReleaseMember,
  ReleaseMemberStatus,
} from '@internal/plugin-sled-common';
import pLimit from 'p-limit';

/** What the planner needs to run one member: create its deploy, await it, cancel it. */
export interface ReleaseMemberRunner {
  /** Creates the member's deploy (or returns the one it already has). */
  start(member: ReleaseMember): Promise<Deploy>;
  /** Resolves with the deploy once it has ended. */
  waitForEnd(deployId: string): Promise<Deploy>;
  cancel(deployId: string): Promise<void>;
  /** Records a member's progress. */
  update(
    member: ReleaseMember,
    update: {
      deployId?: string;
      status: ReleaseMemberStatus;
      message?: string;
    },
  ): Promise<void>;
}

export interface ReleaseOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  message?: string;
}

/**
 * Orders a group's members into waves and runs a release wave by wave: at
 * most `parallelism` member deploys in flight, a wave starts when the previous
 * one has ended, a failed member stops the release (nothing new starts, later
 * waves are `not-started`), and an abort cancels the deploys still in flight.
 */
export class ReleasePlanner {
  constructor(private readonly options: { parallelism: number }) {
    if (!Number.isInteger(options.parallelism) || options.parallelism < 1) {
      throw new Error(
        `ReleasePlanner: parallelism must be a positive integer, got ${options.parallelism}`,
      );
    }
  }

  /**
   * The waves of a group: `waves` in order, then one last wave with the
   * members no wave lists. Empty waves are dropped.
   */
  static waves(members: string[], waves: string[][] = []): string[][] {
    const memberSet = new Set(members);
    const placed = new Set<string>();
    const result: string[][] = [];
    for (const wave of waves) {
      const refs = wave.filter(ref => memberSet.has(ref) && !placed.has(ref));
      refs.forEach(ref => placed.add(ref));
      if (refs.length) result.push(refs);
    }
    const rest = members.filter(ref => !placed.has(ref));
    if (rest.length) result.push(rest);
    return result;
  }

  async run(
    members: ReleaseMember[],
    runner: ReleaseMemberRunner,
    signal: AbortSignal,
  ): Promise<ReleaseOutcome> {
    const waveNumbers = [...new Set(members.map(m => m.wave))].sort(
      (a, b) => a - b,
    );
    const inFlight = new Set<string>();
    // one object, so the member closures below share the release's stop reason
    const state: { stop?: ReleaseOutcome } = {};
    const onAbort = () => {
      state.stop ??= {
        status: 'cancelled',
        message: 'The release was cancelled',
      };
      for (const id of inFlight) void runner.cancel(id).catch(() => {});
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort);
    try {
      for (const wave of waveNumbers) {
        const limit = pLimit(this.options.parallelism);
        await Promise.all(
          members
            .filter(m => m.wave === wave)
            .map(member =>
              limit(async () => {
                if (state.stop && !member.deployId) {
                  await runner.update(member, {
                    status: 'not-started',
                    message: state.stop.message,
                  });
                  return;
                }
                let deploy: Deploy;
                try {
                  deploy = await runner.start(member);
                } catch (error) {
                  const message = `${member.entityRef} could not start: ${
                    (error as Error).message
                  }`;
                  await runner.update(member, { status: 'failed', message });
                  state.stop ??= { status: 'failed', message };
                  return;
                }
                await runner.update(member, {
                  deployId: deploy.id,
                  status: deploy.status,
                  message: deploy.message,
                });
                if (!isFinalDeployStatus(deploy.status)) {
                  inFlight.add(deploy.id);
                  if (signal.aborted)
                    void runner.cancel(deploy.id).catch(() => {});
                  try {
                    deploy = await runner.waitForEnd(deploy.id);
                  } finally {
                    inFlight.delete(deploy.id);
                  }
                  await runner.update(member, {
                    deployId: deploy.id,
                    status: deploy.status,
                    message: deploy.message,
                  });
                }
                if (
                  deploy.status === 'failed' ||
                  deploy.status === 'cancelled' ||
                  deploy.status === 'lost' ||
                  deploy.status === 'rejected' ||
                  deploy.status === 'expired'
                ) {
                  state.stop ??= {
                    status: 'failed',
                    message: `${member.entityRef} ${deploy.status}${
                      deploy.message ? `: ${deploy.message}` : ''
                    }`,
                  };
                }
              }),
            ),
        );
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return state.stop ?? { status: 'succeeded' };
  }
}
