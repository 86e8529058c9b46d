import { Artifact } from '@internal/plugin-sled-common';
import { EnvironmentConfig } from './EnvironmentConfig';

/**
 * A deploy a check decides on. Checks run twice: at `queue`, before the
 * deploy is written (a refusal answers 409 and writes nothing), and at
 * `start`, right before its executor would start it (a refusal ends the
 * deploy `failed` without running it).
 *
 * @public
 */
export interface DeployCheckContext {
  phase: 'queue' | 'start';
  /** the service's entity ref, e.g. `component:default/payments` */
  entityRef: string;
  environment: EnvironmentConfig;
  artifact: Artifact;
  /** who asked: a user or service entity ref */
  requestedBy: string;
  dryRun: boolean;
  force: boolean;
  reason?: string;
  /** the release the deploy belongs to, if any */
  releaseId?: string;
  /** at `start` only: the deploy about to start */
  deployId?: string;
}

/**
 * Why a check refuses a deploy; shown to the person who asked.
 *
 * @public
 */
export interface DeployCheckRefusal {
  message: string;
}

/**
 * A named rule that may refuse a deploy. An environment runs the checks its
 * config lists: `sled.environments[].checks: [name, ...]`.
 *
 * @public
 */
export interface DeployCheck {
  /** the name environments list it by: lower-case letters, digits and dashes */
  name: string;
  /** Resolves to a refusal, or to undefined to let the deploy go. */
  evaluate(
    context: DeployCheckContext,
  ): Promise<DeployCheckRefusal | undefined>;
}
