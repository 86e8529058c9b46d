import { Artifact } from '@internal/plugin-sled-common';

/** Where an artifact stands in its service's version order. */
export type VersionOrder = 'before' | 'same' | 'after';

/** The artifacts of one service between two of its artifacts. */
export interface ArtifactRange {
  /** latest version first, at most the limit asked for */
  artifacts: Artifact[];
  /** how many there are in all */
  total: number;
}

/**
 * The version order of a service's artifacts, as ranges: what lies between
 * the artifact that runs in an environment and another one.
 */
export interface ArtifactChangeStore {
  /**
   * The artifact of the latest succeeded deploy (dry runs aside) to the
   * target, or of the latest one before `beforeDeployId` (a deploy of it).
   */
  findRunning(options: {
    entityRef: string;
    environment: string;
    beforeDeployId?: string;
  }): Promise<string | undefined>;
  /** Where artifact `id` stands relative to artifact `other` (same service). */
  compareVersions(id: string, other: string): Promise<VersionOrder>;
  /**
   * The service's artifacts after `after` (excluded; every one when not
   * given) up to and including `upTo`, in version order.
   */
  listBetween(options: {
    entityRef: string;
    after?: string;
    upTo: string;
    limit: number;
  }): Promise<ArtifactRange>;
}
