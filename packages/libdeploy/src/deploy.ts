/**
 * `deploy(...)`: what a service's deploy.ts calls. It reads the flags and
 * the contract, asks the script for its plan, validates it, then renders
 * (`--dry-run`), validates against the cluster (`--validate`), or applies,
 * waits for the rollout, prunes and verifies, and sets the exit code.
 */
import { readContract } from './contract.ts';
import type { DeployContract } from './contract.ts';
import { USAGE, UsageError, parseFlags } from './flags.ts';
import type { DeployMode } from './flags.ts';
import { kubernetesHelpers } from './kubernetes/helpers.ts';
import type { KubernetesHelpers } from './kubernetes/helpers.ts';
import { kubernetes } from './kubernetes/KubernetesTarget.ts';
import type { KubernetesTargetOptions } from './kubernetes/KubernetesTarget.ts';
import { formatIssue } from './target.ts';
import type {
  DeployLog,
  DeployTarget,
  TargetContext,
  TargetSession,
  ValidationIssue,
} from './target.ts';

/** Exit codes: 0 done, 1 failed (or invalid), 2 wrong flags. @public */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** What the plan function gets. @public */
export interface DeployContext {
  contract: DeployContract;
  /** what was asked for (a run without a cluster renders even when `apply` was asked for) */
  mode: DeployMode;
  /** the Kubernetes helpers with the contract filled in */
  k8s: KubernetesHelpers;
  log: DeployLog;
}

/** What the verify hook gets. @public */
export interface VerifyContext {
  contract: DeployContract;
  log: DeployLog;
  /** the namespace given to `deploy`, if any */
  namespace?: string;
}

/** Resources, possibly in nested arrays (a helper returns several). @public */
export type PlanResources = ReadonlyArray<unknown>;

/** What a deploy script declares. @public */
export interface DeployPlan {
  resources: PlanResources;
  /** runs after apply, rollout and prune; throwing fails the deploy (non-zero exit) */
  verify?: (context: VerifyContext) => Promise<void> | void;
}

/** @public */
export interface DeployOptions {
  /** where objects without a namespace go (Kubernetes target) */
  namespace?: string;
  /** options of the default Kubernetes target */
  kubernetes?: KubernetesTargetOptions;
  /** the targets; default `[kubernetes(...)]` */
  targets?: DeployTarget<any>[];
  /** accept images not pinned by digest (tags can move: off by default) */
  allowUnpinnedImages?: boolean;
  /** default `process.argv.slice(2)` */
  argv?: string[];
  /** default `process.env` */
  env?: Record<string, string | undefined>;
  /** where the log goes; default stdout */
  write?: (text: string) => void;
  /** set `process.exitCode`; default true */
  setExitCode?: boolean;
}

function flatten(resources: PlanResources): unknown[] {
  return resources.flatMap(r => {
    if (Array.isArray(r)) return flatten(r);
    // `cond && resource` leaves false or undefined behind
    return r === undefined || r === null || r === false ? [] : [r];
  });
}

type Connection =
  | { session: TargetSession<any> }
  | { unavailable: string; configured: boolean };

interface Group {
  target: DeployTarget<any>;
  resources: unknown[];
  prepared: unknown[];
  connection?: Connection;
}

const sessionOf = (g: Group) =>
  g.connection && 'session' in g.connection ? g.connection.session : undefined;

async function run(
  define: (context: DeployContext) => DeployPlan | Promise<DeployPlan>,
  options: DeployOptions,
  env: Record<string, string | undefined>,
  log: DeployLog,
  write: (text: string) => void,
): Promise<number> {
  let flags;
  try {
    flags = parseFlags(options.argv ?? process.argv.slice(2), env);
  } catch (error) {
    log((error as Error).message);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  if (flags.help) {
    log(USAGE);
    return EXIT.ok;
  }
  let contract: DeployContract;
  try {
    contract = readContract(env);
  } catch (error) {
    log((error as Error).message);
    return EXIT.failed;
  }
  const asked = flags.mode;
  log(
    `libdeploy: ${contract.service} ${
      contract.artifact.version
    } (${contract.commitSha.slice(0, 7)}) -> ${contract.environment}: ${
      asked === 'apply' ? 'deploy' : asked
    }`,
  );

  let plan: DeployPlan;
  try {
    plan = await define({
      contract,
      mode: asked,
      k8s: kubernetesHelpers(contract),
      log,
    });
  } catch (error) {
    log(
      `The deploy script failed while declaring its resources: ${
        (error as Error)?.stack ?? error
      }`,
    );
    return EXIT.failed;
  }

  const targets = options.targets ?? [
    kubernetes({
      ...options.kubernetes,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    }),
  ];
  const groups: Group[] = targets.map(target => ({
    target,
    resources: [],
    prepared: [],
  }));
  const resources = flatten(plan?.resources ?? []);
  for (const [i, resource] of resources.entries()) {
    const group = groups.find(g => g.target.accepts(resource));
    if (!group) {
      log(
        `Resource #${i + 1} is nothing a target deploys (${
          JSON.stringify(resource)?.slice(0, 120) ?? String(resource)
        }): a Kubernetes object needs apiVersion and kind`,
      );
      return EXIT.failed;
    }
    group.resources.push(resource);
  }
  const used = groups.filter(g => g.resources.length);

  const base: TargetContext = {
    contract,
    mode: asked,
    log,
    env,
    allowUnpinnedImages: options.allowUnpinnedImages ?? false,
  };
  try {
    for (const g of used) g.connection = await g.target.connect(base);

    let mode: DeployMode = asked;
    const unavailable = used.flatMap(g =>
      g.connection && 'unavailable' in g.connection
        ? [{ name: g.target.name, ...g.connection }]
        : [],
    );
    if (asked === 'apply') {
      const broken = unavailable.filter(u => u.configured);
      if (broken.length) {
        for (const u of broken) log(`${u.unavailable}. Nothing was applied.`);
        return EXIT.failed;
      }
      if (unavailable.length) {
        for (const u of unavailable) {
          log(
            `${u.unavailable}: rendering the resources instead of applying them (dry run).`,
          );
        }
        mode = 'dry-run';
      }
    } else {
      for (const u of unavailable) {
        log(
          `${u.unavailable}: ${
            asked === 'validate'
              ? 'validating without a server-side dry run'
              : 'rendering only, no diff'
          }.`,
        );
      }
    }
    for (const g of used) {
      if (sessionOf(g)) log(`${g.target.name}: ${sessionOf(g)!.description}`);
    }

    const context: TargetContext = { ...base, mode };
    const issues: ValidationIssue[] = [];
    for (const g of used) {
      g.prepared = g.target.prepare(g.resources, context);
      issues.push(...g.target.validate(g.prepared, context));
    }
    const failed = report(issues, log);
    if (failed) {
      log(
        `validation failed: ${failed} problem${
          failed === 1 ? '' : 's'
        }; nothing was applied`,
      );
      return EXIT.failed;
    }

    if (mode === 'validate') {
      const server: ValidationIssue[] = [];
      for (const g of used) {
        const session = sessionOf(g);
        if (session) server.push(...(await session.serverValidate(g.prepared)));
      }
      const serverFailed = report(server, log);
      if (serverFailed) {
        log(
          `validation failed: ${serverFailed} problem${
            serverFailed === 1 ? '' : 's'
          } (server-side dry run); nothing was applied`,
        );
        return EXIT.failed;
      }
      const checked = used.some(sessionOf)
        ? 'schema and server-side dry run'
        : 'schema only';
      log(`validate: ${resources.length} resources valid (${checked})`);
      log(`deploy ${contract.deployId} finished (validate): nothing changed`);
      return EXIT.ok;
    }

    if (mode === 'dry-run') {
      for (const g of used) {
        const text = g.target.render(g.prepared);
        write(text.endsWith('\n') ? text : `${text}\n`);
      }
      try {
        for (const g of used) {
          const session = sessionOf(g);
          if (!session) continue;
          for (const line of await session.diff(g.prepared)) log(line);
          for (const line of await session.prune(g.prepared, {
            dryRun: true,
          }))
            log(line);
        }
      } catch (error) {
        log(`dry run failed: ${(error as Error).message}`);
        return EXIT.failed;
      }
      log(
        `deploy ${contract.deployId} finished (dry run): ${resources.length} resources rendered, nothing changed`,
      );
      return EXIT.ok;
    }

    let pruned = 0;
    try {
      for (const g of used) await sessionOf(g)!.apply(g.prepared);
      for (const g of used) await sessionOf(g)!.waitUntilReady(g.prepared);
      for (const g of used) {
        const lines = await sessionOf(g)!.prune(g.prepared, { dryRun: false });
        pruned += lines.length;
        lines.forEach(line => log(line));
      }
    } catch (error) {
      log(`deploy failed: ${(error as Error).message}`);
      return EXIT.failed;
    }
    if (plan.verify) {
      log('verify: running');
      try {
        await plan.verify({ contract, log, namespace: options.namespace });
      } catch (error) {
        log(`verify failed: ${(error as Error)?.message ?? error}`);
        return EXIT.failed;
      }
      log('verify: ok');
    }
    log(
      `deploy ${contract.deployId} finished: ${
        resources.length
      } resources applied${pruned ? `, ${pruned} pruned` : ''}`,
    );
    return EXIT.ok;
  } finally {
    for (const g of used) await sessionOf(g)?.close?.();
  }
}

/** Prints issues; returns how many are errors. */
function report(issues: ValidationIssue[], log: DeployLog): number {
  for (const issue of issues) log(formatIssue(issue));
  return issues.filter(i => i.severity === 'error').length;
}

/**
 * Runs a deploy script: flags, contract, plan, then render, validate or
 * apply + wait + prune + verify. Resolves with the exit code (and sets
 * `process.exitCode` to it).
 *
 * ```ts
 * deploy(({ k8s }) => ({ resources: [k8s.statelessService({ port: 8080 })] }));
 * ```
 *
 * @public
 */
export async function deploy(
  define: (context: DeployContext) => DeployPlan | Promise<DeployPlan>,
  options: DeployOptions = {},
): Promise<number> {
  const env = options.env ?? process.env;
  const write =
    options.write ?? ((text: string) => void process.stdout.write(text));
  const log: DeployLog = line => write(`${line}\n`);
  let code: number;
  try {
    code = await run(define, options, env, log, write);
  } catch (error) {
    log(`deploy failed: ${(error as Error)?.stack ?? error}`);
    code = EXIT.failed;
  }
  if (options.setExitCode !== false) process.exitCode = code;
  return code;
}
