import { Lock } from '@internal/plugin-sled-common';
import { SledTargetFilter } from './targetFilter';

export interface NewLock {
  environment: string;
  entityRef?: string;
  deployGroup?: string;
  /** the locked service's or deploy group's owner, for read filters */
  ownerRef?: string;
  reason: string;
  createdBy: string;
  expiresAt?: string;
}

export interface ListLocksOptions {
  environment?: string;
  /** only locks in these environments */
  environments?: string[];
  entityRef?: string;
  deployGroup?: string;
  /** the caller's read decision, on the lock's environment, service and owner */
  filter?: SledTargetFilter;
}

/** Persistence of deploy locks on an environment, a service or a deploy group. */
export interface LockStore {
  createLock(lock: NewLock): Promise<Lock>;
  /**
   * Active locks, oldest first. With `entityRef` and/or `deployGroup`: the
   * locks that apply to that service or group, i.e. its own, its group's
   * and environment-wide ones.
   */
  listLocks(options: ListLocksOptions): Promise<Lock[]>;
  getLock(id: string): Promise<Lock | undefined>;
  deleteLock(id: string): Promise<boolean>;
}
