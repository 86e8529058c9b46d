import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  SLED_ENVIRONMENTS_CHANNEL,
  SLED_HEARTBEAT_CHANNEL,
  SLED_SIGNAL_HEARTBEAT_MS,
  SledSignal,
  SledSignalKind,
  sledGroupChannel,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
import { ReleaseChanges } from '../releases/ReleaseChanges';
import { DeployChanges } from '../service/DeployChanges';

/** What a lock locks: a service, a deploy group or a whole environment. */
export interface LockedTarget {
  environment: string;
  entityRef?: string;
  deployGroup?: string;
}

/**
 * Live updates of open tabs: after every write that changes a deploy, an
 * approval, a release or a lock, a signal on the sled channels of what it
 * changed (see `@internal/plugin-sled-common`'s signals: per service,
 * per deploy group, environment-wide), and a heartbeat that tells tabs the
 * signals reach them. Signals are broadcast, so each carries only the kind
 * of change: tabs fetch again through the permission-checked routes. Reads
 * publish nothing. Publishing is best effort: a failure is logged, the write
 * it follows stands.
 */
export class SledSignals {
  private heartbeat?: ReturnType<typeof setInterval>;

  constructor(
    private readonly options: {
      signals: SignalsService;
      logger: LoggerService;
      /** how often the heartbeat goes out */
      heartbeatMs?: number;
    },
  ) {}

  /** Every deploy change and approval decision, on the service's channel. */
  watchDeploys(changes: DeployChanges): void {
    changes.subscribe(deploy => this.service(deploy.entityRef, 'deploy'));
    changes.subscribeDecisions(deploy =>
      this.service(deploy.entityRef, 'approval'),
    );
  }

  /** Every release change (created, a member's progress, ended), on the group's channel. */
  watchReleases(changes: ReleaseChanges): void {
    changes.subscribe(change =>
      this.publish(sledGroupChannel(change.deployGroup), 'release'),
    );
  }

  /**
   * A lock was added or removed: on the service's channel; on the group's
   * and each member's (whose Deploy tabs show their group's locks); or, for
   * an environment-wide lock, on the environments channel.
   */
  lockChanged(lock: LockedTarget, groupMembers: string[] = []): void {
    if (lock.entityRef) {
      this.service(lock.entityRef, 'lock');
    } else if (lock.deployGroup) {
      this.publish(sledGroupChannel(lock.deployGroup), 'lock');
      for (const member of groupMembers) this.service(member, 'lock');
    } else {
      this.publish(SLED_ENVIRONMENTS_CHANNEL, 'lock');
    }
  }

  /** Starts the heartbeat: one now, then every `heartbeatMs`. */
  start(): void {
    if (this.heartbeat) return;
    const beat = () => this.publish(SLED_HEARTBEAT_CHANNEL, 'heartbeat');
    beat();
    this.heartbeat = setInterval(
      beat,
      this.options.heartbeatMs ?? SLED_SIGNAL_HEARTBEAT_MS,
    );
    this.heartbeat.unref?.();
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private service(entityRef: string, kind: SledSignalKind) {
    this.publish(sledServiceChannel(entityRef), kind);
  }

  private publish(channel: string, kind: SledSignalKind) {
    const message: SledSignal = { kind };
    this.options.signals
      .publish({ recipients: { type: 'broadcast' }, channel, message })
      .catch(error =>
        this.options.logger.warn(
          `Could not publish the sled signal on ${channel}: ${error}`,
        ),
      );
  }
}
