/**
 * The deploy contract: what SLeD tells a deploy script about the deploy it
 * runs, through environment variables (the same for every executor).
 */

/**
 * One deploy, as SLeD describes it to the deploy script.
 *
 * @public
 */
export interface DeployContract {
  /** `SLED_DEPLOY_ID`: the deploy's id (a UUID) */
  deployId: string;
  /** `SLED_SERVICE`: the catalog entity ref, e.g. `component:default/cart` */
  service: string;
  /** the entity's name, e.g. `cart`: the default name of the service's resources */
  serviceName: string;
  /** `SLED_ENVIRONMENT`: the environment deployed to, e.g. `staging` */
  environment: string;
  artifact: {
    /** `SLED_ARTIFACT_ID` */
    id: string;
    /** `SLED_ARTIFACT_VERSION`, e.g. `1.3.0` */
    version: string;
    /** `SLED_ARTIFACT_IMAGE`, e.g. `registry.example.com/cart@sha256:…`; undefined when empty */
    image?: string;
  };
  /** `SLED_COMMIT_SHA`: the commit the artifact was built from */
  commitSha: string;
  /** `SLED_DRY_RUN=1`: SLeD asked for a dry run (it also passes `--dry-run`) */
  dryRun: boolean;
}

/**
 * The contract's environment variables, in the order SLeD documents them.
 *
 * @public
 */
export const CONTRACT_VARIABLES = [
  'SLED_DEPLOY_ID',
  'SLED_SERVICE',
  'SLED_ENVIRONMENT',
  'SLED_ARTIFACT_ID',
  'SLED_ARTIFACT_VERSION',
  'SLED_ARTIFACT_IMAGE',
  'SLED_COMMIT_SHA',
  'SLED_DRY_RUN',
] as const;

/** Variables a deploy script cannot do without; the image may be empty, the dry-run flag unset. */
const REQUIRED = [
  'SLED_DEPLOY_ID',
  'SLED_SERVICE',
  'SLED_ENVIRONMENT',
  'SLED_ARTIFACT_ID',
  'SLED_ARTIFACT_VERSION',
  'SLED_COMMIT_SHA',
] as const;

/**
 * The environment does not hold a complete, valid deploy contract.
 *
 * @public
 */
export class ContractError extends Error {
  /** variables that are not set (or empty) */
  readonly missing: string[];
  /** variables that are set to something unusable, with why */
  readonly invalid: string[];

  constructor(missing: string[], invalid: string[]) {
    const parts: string[] = [];
    if (missing.length) {
      parts.push(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
      );
    }
    parts.push(...invalid);
    super(
      `The deploy contract is incomplete: ${parts.join(
        '; ',
      )}. SLeD sets the SLED_* variables when it runs a deploy script; to try a script by hand, run it with \`libdeploy run --example <script>\`.`,
    );
    this.name = 'ContractError';
    this.missing = missing;
    this.invalid = invalid;
  }
}

/** `[kind:][namespace/]name` → name, as the catalog writes entity refs. */
function entityName(ref: string): string | undefined {
  const match = /^(?:[^:/]+:)?(?:[^:/]+\/)?([^:/]+)$/.exec(ref.trim());
  return match?.[1];
}

/**
 * Reads the deploy contract from the environment (by default `process.env`),
 * or throws a {@link ContractError} naming every variable that is missing or
 * unusable.
 *
 * @public
 */
export function readContract(
  env: Record<string, string | undefined> = process.env,
): DeployContract {
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const missing: string[] = REQUIRED.filter(name => !value(name));
  const invalid: string[] = [];

  const service = value('SLED_SERVICE');
  const serviceName = service ? entityName(service) : undefined;
  if (service && !serviceName) {
    invalid.push(
      `SLED_SERVICE is '${service}', not an entity ref such as component:default/cart`,
    );
  }
  const dryRun = value('SLED_DRY_RUN');
  if (dryRun !== undefined && dryRun !== '0' && dryRun !== '1') {
    invalid.push(`SLED_DRY_RUN is '${dryRun}', expected 1 or 0`);
  }
  if (missing.length || invalid.length) {
    throw new ContractError(missing, invalid);
  }
  return {
    deployId: value('SLED_DEPLOY_ID')!,
    service: service!,
    serviceName: serviceName!.toLocaleLowerCase('en-US'),
    environment: value('SLED_ENVIRONMENT')!,
    artifact: {
      id: value('SLED_ARTIFACT_ID')!,
      version: value('SLED_ARTIFACT_VERSION')!,
      image: value('SLED_ARTIFACT_IMAGE'),
    },
    commitSha: value('SLED_COMMIT_SHA')!,
    dryRun: dryRun === '1',
  };
}

/**
 * A made-up contract for trying a deploy script by hand (`libdeploy run
 * --example`): the variables that are set win.
 *
 * @public
 */
export function exampleContractEnvironment(
  service: string,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const name = entityName(service) ?? 'example';
  const example: Record<string, string> = {
    SLED_DEPLOY_ID: '00000000-0000-4000-8000-000000000000',
    SLED_SERVICE: service.includes(':') ? service : `component:default/${name}`,
    SLED_ENVIRONMENT: 'development',
    SLED_ARTIFACT_ID: '00000000-0000-4000-8000-000000000001',
    SLED_ARTIFACT_VERSION: '0.0.0-example',
    SLED_ARTIFACT_IMAGE: `registry.example.com/${name}@sha256:${'0'.repeat(
      64,
    )}`,
    SLED_COMMIT_SHA: '0000000000000000000000000000000000000000',
    SLED_DRY_RUN: '0',
  };
  for (const key of CONTRACT_VARIABLES) {
    const v = env[key];
    if (v !== undefined && v !== '') example[key] = v;
  }
  return example;
}
