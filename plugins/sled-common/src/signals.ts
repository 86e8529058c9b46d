/**
 * SLeD's live updates, on Backstage signals. The backend publishes a
 * {@link SledSignal} on these channels after every write that changes what a
 * tab shows; a tab subscribed to them fetches again through the
 * permission-checked routes. Signals are broadcast to every subscriber, so a
 * message names only what kind of thing changed: never an id, a version, a
 * person or a message.
 *
 * - `sled:service:<entityRef>`: a deploy of the service changed (queued,
 *   started, ended, approved, rejected, expired, an approval decided), or a
 *   lock on it (or on its deploy group) was added or removed
 * - `sled:group:<deployGroupRef>`: a release of the group changed (created, a
 *   member's progress, ended), or a lock on the group was added or removed
 * - `sled:environments`: an environment-wide lock was added or removed
 * - `sled:heartbeat`: every {@link SLED_SIGNAL_HEARTBEAT_MS}, from every
 *   backend: tabs poll until it arrives, and again once it stops
 *
 * Entity refs in channel names are lower case.
 */

/** What changed: the tab fetches again, whatever it is. */
export type SledSignalKind =
  | 'deploy'
  | 'approval'
  | 'release'
  | 'lock'
  | 'heartbeat';

/** The message of every SLeD signal. @public */
export type SledSignal = {
  kind: SledSignalKind;
};

/** How often each backend publishes on {@link SLED_HEARTBEAT_CHANNEL}. */
export const SLED_SIGNAL_HEARTBEAT_MS = 10_000;

/** Environment-wide changes (locks on a whole environment). */
export const SLED_ENVIRONMENTS_CHANNEL = 'sled:environments';

/** Each backend's heartbeat: signals reach this tab. */
export const SLED_HEARTBEAT_CHANNEL = 'sled:heartbeat';

/** The channel of a service's deploys and locks. */
export function sledServiceChannel(entityRef: string): string {
  return `sled:service:${entityRef.toLocaleLowerCase('en-US')}`;
}

/** The channel of a deploy group's releases and locks. */
export function sledGroupChannel(deployGroupRef: string): string {
  return `sled:group:${deployGroupRef.toLocaleLowerCase('en-US')}`;
}
