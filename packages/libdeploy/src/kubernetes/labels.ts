/**
 * The labels and annotations libdeploy puts on everything it applies: who
 * owns it (service, environment), what runs (version, artifact, commit) and
 * which deploy last changed it. Prune finds a service's resources by them.
 */
import type { DeployContract } from '../contract.ts';

/** @public */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
  service: 'sled.dev/service',
  environment: 'sled.dev/environment',
  /** the deploy that last changed the resource (a replay of the same artifact keeps it) */
  deployId: 'sled.dev/deploy-id',
} as const;

/** @public */
export const ANNOTATIONS = {
  entityRef: 'sled.dev/entity-ref',
  artifactId: 'sled.dev/artifact-id',
  artifactVersion: 'sled.dev/artifact-version',
  commitSha: 'sled.dev/commit-sha',
  /** hash of what was applied, without the deploy id: equal means nothing changed */
  appliedHash: 'sled.dev/applied-hash',
} as const;

/**
 * `app.kubernetes.io/managed-by` of what libdeploy applies. Not `sled`, which
 * marks SLeD's own deploy Jobs: prune must never find those.
 *
 * @public
 */
export const MANAGED_BY = 'libdeploy';

/** The field manager of libdeploy's server-side applies. @public */
export const FIELD_MANAGER = 'sled';

/**
 * A valid label value from any text: at most 63 of [A-Za-z0-9-_.],
 * alphanumeric at both ends (`component:default/cart` → `component.default.cart`).
 *
 * @public
 */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]+/g, '.')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** Labels that pick the pods of one workload: stable for its life (selectors are immutable). */
export function selectorLabels(
  contract: DeployContract,
  name: string,
): Record<string, string> {
  return {
    [LABELS.name]: name,
    [LABELS.service]: labelValue(contract.service),
  };
}

/** Labels of pods: the selector's, and what runs. */
export function podLabels(
  contract: DeployContract,
  name: string,
): Record<string, string> {
  return {
    ...selectorLabels(contract, name),
    [LABELS.environment]: labelValue(contract.environment),
    [LABELS.version]: labelValue(contract.artifact.version),
    [LABELS.managedBy]: MANAGED_BY,
  };
}

/** Labels of every applied object (the deploy id only here: on pods it would restart them). */
export function objectLabels(contract: DeployContract): Record<string, string> {
  return {
    [LABELS.service]: labelValue(contract.service),
    [LABELS.environment]: labelValue(contract.environment),
    [LABELS.version]: labelValue(contract.artifact.version),
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.deployId]: labelValue(contract.deployId),
  };
}

/** Annotations of every applied object. */
export function objectAnnotations(
  contract: DeployContract,
): Record<string, string> {
  return {
    [ANNOTATIONS.entityRef]: contract.service,
    [ANNOTATIONS.artifactId]: contract.artifact.id,
    [ANNOTATIONS.artifactVersion]: contract.artifact.version,
    [ANNOTATIONS.commitSha]: contract.commitSha,
  };
}

/** The selector prune lists a service's objects in one environment with. */
export function pruneSelector(contract: DeployContract): string {
  return [
    `${LABELS.managedBy}=${MANAGED_BY}`,
    `${LABELS.service}=${labelValue(contract.service)}`,
    `${LABELS.environment}=${labelValue(contract.environment)}`,
  ].join(',');
}
