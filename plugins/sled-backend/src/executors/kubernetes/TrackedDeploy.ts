/**
 * A deploy whose Job this process follows: where the Job is, how much of its
 * log is recorded, and how far its end is.
 *
 * @public
 */
export interface TrackedDeploy {
  deployId: string;
  cluster: string;
  namespace: string;
  jobName: string;
  /** when tracking began (ms) */
  since: number;
  /** characters of the pod's log already recorded */
  seen: number;
  settling: boolean;
  cancelling: boolean;
  /** another backend runs the deploy now; this one dropped it */
  forgotten?: boolean;
  stopFollow?: () => void;
  /** wakes the log follower waiting for the Job's pod to change */
  podChanged?: () => void;
}
