/**
 * One configured environment (`sled.environments[]`), as SLeD read and
 * checked it at start-up.
 *
 * @public
 */
export interface EnvironmentConfig {
  name: string;
  /** the kind of the executor that runs its deploys, e.g. `local` or `kubernetes` */
  executor: string;
  /** a cluster name from `kubernetes.clusterLocatorMethods` (the kubernetes executor) */
  cluster?: string;
  /** the namespace deploy Jobs run in (the kubernetes executor) */
  namespace?: string;
  /** deploys to it must give a reason */
  requireReason: boolean;
  /** the deploy checks that must let a deploy to it go, by name */
  checks: string[];
}
