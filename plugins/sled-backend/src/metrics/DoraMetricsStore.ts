import { DoraFigures } from '@internal/plugin-sled-common';
import { SledTargetFilter } from '../database/DeployStore';

/** Whose deploys DORA figures are computed from. */
export interface DoraScope {
  /** only these services (one service, or a deploy group's members) */
  entityRefs?: string[];
  /** only deploys of services this owner owned when they were deployed */
  ownerRef?: string;
  environment?: string;
  /** what the caller may read; undefined: everything */
  filter?: SledTargetFilter;
}

/** A window of time, `from` included, `to` excluded. */
export interface DoraWindow {
  from: Date;
  to: Date;
}

/**
 * DORA figures from the deploy ledger. A change is a deploy that is neither
 * a dry run nor a rollback and ended `succeeded`, `failed` or `lost`; it
 * failed when it ended `failed` or `lost`, was named by a rollback (or its
 * release by a release's rollback), or was followed on its target by a
 * rollback within `rollbackWithinMs`.
 */
export interface DoraMetricsStore {
  /**
   * The figures of each window; the windows must not overlap. A window's
   * changes are those that finished in it.
   */
  figures(
    scope: DoraScope,
    windows: DoraWindow[],
    options: { rollbackWithinMs: number },
  ): Promise<DoraFigures[]>;
}
