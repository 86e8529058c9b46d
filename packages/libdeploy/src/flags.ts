/**
 * The command-line flags every deploy script takes: the same for all of
 * them, so a service owner (and SLeD) runs any script the same way.
 */

/**
 * What a run does.
 *
 * - `apply`: server-side apply, wait for the rollout, prune, verify
 * - `dry-run`: render (and diff against the cluster when reachable); change nothing
 * - `validate`: schema validation (and a server-side dry run when reachable); change nothing
 *
 * @public
 */
export type DeployMode = 'apply' | 'dry-run' | 'validate';

/** @public */
export interface DeployFlags {
  mode: DeployMode;
  help: boolean;
}

/** @public */
export const USAGE = `usage: node deploy.ts [--dry-run | --validate]
  (no flag)   server-side apply (field manager sled), wait for the rollout, prune what this
              service applied before and no longer declares, then run the verify hook
  --dry-run   render the resources as YAML and, when a cluster is reachable, the diff
              against it; changes nothing (also when SLED_DRY_RUN=1)
  --validate  validate every resource (schema, and a server-side dry run when a cluster is
              reachable); exits non-zero naming each resource and field that is wrong
  --help      this text`;

/**
 * Wrong flags: the message says which, and what the flags are.
 *
 * @public
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

/**
 * Reads the flags; `SLED_DRY_RUN=1` in the environment means `--dry-run`
 * (unless `--validate` asks for a validation, which changes nothing either).
 *
 * @public
 */
export function parseFlags(
  argv: string[],
  env: Record<string, string | undefined> = {},
): DeployFlags {
  let dryRun = false;
  let validate = false;
  let help = false;
  for (const arg of argv) {
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--validate') validate = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else throw new UsageError(`Unknown argument '${arg}'.`);
  }
  if (dryRun && validate) {
    throw new UsageError('Give --dry-run or --validate, not both.');
  }
  let mode: DeployMode = 'apply';
  if (validate) mode = 'validate';
  else if (dryRun || env.SLED_DRY_RUN === '1') mode = 'dry-run';
  return { mode, help };
}
