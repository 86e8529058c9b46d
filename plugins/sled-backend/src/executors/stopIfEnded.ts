import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
import { DeployExecutor } from '@internal/plugin-sled-node';

/**
 * A deploy that ended while its executor started it (`setExecution` said it
 * no longer runs): what just started is stopped, so a cancel that came during
 * the start (a Job being created, say), or any other end recorded meanwhile,
 * is never followed by a deploy that runs all the same. The outcome stays
 * the one recorded.
 */
export async function stopIfEnded(
  store: { getDeploy(id: string): Promise<Deploy | undefined> },
  executor: Pick<DeployExecutor, 'cancel'>,
  deployId: string,
): Promise<void> {
  const deploy = await store.getDeploy(deployId);
  if (deploy && isFinalDeployStatus(deploy.status)) {
    await executor.cancel(deploy);
  }
}
