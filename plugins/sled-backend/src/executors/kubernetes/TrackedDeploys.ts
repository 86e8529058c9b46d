import { DeployExecution } from '@internal/plugin-sled-common';
import { JobLocation, jobKey, watchKey } from './JobLocation';
import { TrackedDeploy } from './TrackedDeploy';

/**
 * The deploys this process has in hand: those whose Job it is creating, those
 * it follows (by deploy and by Job), and those whose outcome it is recording.
 *
 * @public
 */
export class TrackedDeploys {
  private readonly tracked = new Map<string, TrackedDeploy>();
  /** the same, by cluster, namespace and Job name */
  private readonly byJob = new Map<string, TrackedDeploy>();
  /** deploys whose Job is being created, with the start in flight */
  private readonly starting = new Map<string, Promise<DeployExecution>>();
  /** deploys whose outcome is being recorded (no longer followed) */
  private readonly recording = new Set<string>();

  /** True while this process starts or follows the deploy. */
  isLocal(deployId: string): boolean {
    return (
      this.tracked.has(deployId) ||
      this.starting.has(deployId) ||
      this.recording.has(deployId)
    );
  }

  /** The start of the deploy in flight here, if any. */
  startInFlight(deployId: string): Promise<DeployExecution> | undefined {
    return this.starting.get(deployId);
  }

  /** Counts the deploy as started here until `start` settles. */
  async whileStarting(
    deployId: string,
    start: Promise<DeployExecution>,
  ): Promise<DeployExecution> {
    this.starting.set(deployId, start);
    try {
      return await start;
    } finally {
      this.starting.delete(deployId);
    }
  }

  /** The deploy, if this process follows it. */
  get(deployId: string): TrackedDeploy | undefined {
    return this.tracked.get(deployId);
  }

  /** The followed deploy whose Job this is, if any. */
  ofJob(location: JobLocation): TrackedDeploy | undefined {
    return this.byJob.get(jobKey(location));
  }

  /** Deploys followed in one namespace of one cluster. */
  inNamespace(cluster: string, namespace: string): TrackedDeploy[] {
    return [...this.tracked.values()].filter(
      t => t.cluster === cluster && t.namespace === namespace,
    );
  }

  /** True while `t` is how this process follows its deploy. */
  isFollowed(t: TrackedDeploy): boolean {
    return this.tracked.get(t.deployId) === t;
  }

  /** Starts following a deploy's Job, `seen` characters of its log recorded. */
  add(location: JobLocation, deployId: string, seen: number): TrackedDeploy {
    const t: TrackedDeploy = {
      deployId,
      ...location,
      since: Date.now(),
      seen,
      settling: false,
      cancelling: false,
    };
    this.tracked.set(deployId, t);
    this.byJob.set(jobKey(t), t);
    return t;
  }

  /**
   * Stops following a deploy; true when no deploy of its namespace is
   * followed any more.
   */
  remove(t: TrackedDeploy): boolean {
    if (this.tracked.get(t.deployId) === t) this.tracked.delete(t.deployId);
    if (this.byJob.get(jobKey(t)) === t) this.byJob.delete(jobKey(t));
    const key = watchKey(t.cluster, t.namespace);
    const stillWatched = [...this.tracked.values()].some(
      o => watchKey(o.cluster, o.namespace) === key,
    );
    return !stillWatched;
  }

  /** The deploy's outcome is being recorded: it still counts as local. */
  recordingBegan(deployId: string): void {
    this.recording.add(deployId);
  }

  /** The deploy's outcome is recorded (or could not be). */
  recordingEnded(deployId: string): void {
    this.recording.delete(deployId);
  }

  /** Stops every log follower and forgets every followed deploy (shut-down). */
  clear(): void {
    for (const t of this.tracked.values()) t.stopFollow?.();
    this.tracked.clear();
    this.byJob.clear();
  }
}
