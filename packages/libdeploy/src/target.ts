/**
 * Targets: where a deploy's resources go. libdeploy ships a `kubernetes`
 * target; a Terraform or bare-metal target implements the same interface
 * (README, "Targets").
 */
import type { DeployContract } from './contract.ts';
import type { DeployMode } from './flags.ts';

/**
 * One problem with one resource, naming the field.
 *
 * @public
 */
export interface ValidationIssue {
  /** e.g. `Deployment/cart` */
  resource: string;
  /** e.g. `spec.template.spec.containers[0].ports[0].containerPort`; empty for the whole resource */
  field: string;
  message: string;
  /** warnings are printed but do not fail a run */
  severity: 'error' | 'warning';
}

/**
 * `Deployment/cart: spec.replicas: must be >= 0`.
 *
 * @public
 */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.field
    ? `${issue.resource}: ${issue.field}`
    : issue.resource;
  return `${issue.severity === 'warning' ? 'warning: ' : ''}${where}: ${
    issue.message
  }`;
}

/**
 * What a target and a deploy script write to the deploy log: one line at a time.
 *
 * @public
 */
export type DeployLog = (line: string) => void;

/**
 * What a target knows of the run.
 *
 * @public
 */
export interface TargetContext {
  contract: DeployContract;
  mode: DeployMode;
  log: DeployLog;
  /** the environment the script runs with (the contract, KUBECONFIG, …) */
  env: Record<string, string | undefined>;
  /** true when an artifact's image need not be pinned by digest */
  allowUnpinnedImages: boolean;
}

/**
 * A target that can be reached (a cluster, a Terraform workspace, a host):
 * what it does for each mode. Every method but `apply` and `prune` with
 * `dryRun: false` changes nothing.
 *
 * @public
 */
export interface TargetSession<R> {
  /** for the log: `cluster https://10.0.0.1 (namespace shop)` */
  readonly description: string;
  /** a server-side dry run of every resource: what the server would refuse */
  serverValidate(resources: R[]): Promise<ValidationIssue[]>;
  /** `--dry-run`: the change applying would make, as text (written to the log) */
  diff(resources: R[]): Promise<string[]>;
  /** applies every resource; logs one line per resource */
  apply(resources: R[]): Promise<void>;
  /** waits until what was applied runs (throws with what did not become ready) */
  waitUntilReady(resources: R[]): Promise<void>;
  /** removes what this service applied before and no longer declares; with dryRun only says what */
  prune(resources: R[], options: { dryRun: boolean }): Promise<string[]>;
  close?(): Promise<void>;
}

/**
 * Where some of a deploy's resources go.
 *
 * @public
 */
export interface DeployTarget<R = unknown> {
  /** `kubernetes`, `terraform`, … */
  readonly name: string;
  /** the resources of the plan this target deploys */
  accepts(resource: unknown): resource is R;
  /** fills in what the target adds to every resource (labels, namespace, …) */
  prepare(resources: R[], context: TargetContext): R[];
  /** what can be checked without reaching the target (schemas, names, ranges) */
  validate(resources: R[], context: TargetContext): ValidationIssue[];
  /** `--dry-run`: what would be applied, as text (YAML for Kubernetes) */
  render(resources: R[]): string;
  /**
   * Reaches the target, or says why not: `configured: false` when none is
   * configured (a laptop: the run renders instead of applying),
   * `configured: true` when one is but cannot be reached.
   */
  connect(
    context: TargetContext,
  ): Promise<
    { session: TargetSession<R> } | { unavailable: string; configured: boolean }
  >;
}
