import { ConflictError } from '@backstage/errors';
import { Artifact, Deploy, Gate } from '@internal/plugin-sled-common';
import { EnvironmentConfig } from '@internal/plugin-sled-node';
import { DeployChecks } from '../checks/DeployChecks';
import { ArtifactCheckStore } from '../database/ArtifactCheckStore';
import { PromotionLedger } from '../database/PromotionLedger';
import { DeployWindows } from './DeployWindows';
import { EnvironmentGatesConfig } from './gatesConfig';

const MINUTE_MS = 60_000;

/** What a deploy is, for its gates. */
export interface GateRequest {
  entityRef: string;
  environment: EnvironmentConfig;
  artifact: Artifact;
  /** who asked: a user or service entity ref */
  requestedBy: string;
  dryRun: boolean;
  force: boolean;
  reason?: string;
  releaseId?: string;
  /** at `start` only: the deploy about to start */
  deployId?: string;
  /** `queue`: before it is written (and for previews); `start`: right before it runs */
  phase: 'queue' | 'start';
  /** pass the overridable gates that refuse (sled.gate.override, checked by the caller) */
  override?: boolean;
}

/** Every gate's verdict on one deploy. */
export interface GateVerdict {
  /** nothing refuses (or what refuses was overridden) */
  allowed: boolean;
  gates: Gate[];
  /** an overridable gate refused and was passed by `override` */
  overridden: boolean;
  /** the deploy waits for approvals once it is requested */
  approvals?: { required: number; expiresAfterMs: number };
}

/**
 * The release gates of every environment, evaluated in one place, in
 * order: promotion (and soak) from the ledger in SQL, deploy windows, the
 * deploy checks modules add, and approvals last. Before a deploy is queued
 * (`POST /deploys`, rollbacks, release members) and again just before it
 * starts, when a window may have closed or the artifact been rolled back in
 * the environment it is promoted from. A dry run changes nothing: only the
 * checks apply to it.
 */
export class DeployGates {
  private readonly windows = new Map<string, DeployWindows>();

  constructor(
    private readonly options: {
      config: Map<string, EnvironmentGatesConfig>;
      promotions: PromotionLedger;
      checks: DeployChecks;
      /** CI's check results, given to deploy checks as `artifact.checks` */
      artifactChecks?: Pick<ArtifactCheckStore, 'listChecks'>;
      now?: () => Date;
    },
  ) {
    for (const [name, gates] of options.config) {
      if (gates.windows.length) {
        this.windows.set(name, new DeployWindows(gates.windows));
      }
    }
  }

  /** True when some environment wants approvals. */
  get anyApprovals(): boolean {
    return [...this.options.config.values()].some(g => g.approvals);
  }

  /** The gates configured for an environment (none: an empty set). */
  configOf(environment: string): EnvironmentGatesConfig {
    return this.options.config.get(environment) ?? { windows: [] };
  }

  /** The windows of an environment, if it has any. */
  windowsOf(environment: string): DeployWindows | undefined {
    return this.windows.get(environment);
  }

  async evaluate(request: GateRequest): Promise<GateVerdict> {
    const now = this.options.now?.() ?? new Date();
    const config = this.configOf(request.environment.name);
    const gates: Gate[] = [];
    // the reads of the ledger and of CI's results go out together
    const promotion =
      config.promotion && !request.dryRun
        ? this.promotion(request, config.promotion, now)
        : undefined;
    const checked = this.withCiChecks(request);
    promotion?.catch(() => {});
    checked.catch(() => {});
    if (!request.dryRun) {
      if (promotion) gates.push(await promotion);
      const windows = this.windows.get(request.environment.name);
      if (windows) {
        const state = windows.stateAt(now);
        gates.push({
          name: 'window',
          passed: state.open,
          message: state.open
            ? state.message
            : `${request.environment.name}: ${state.message}`,
          ...(!state.open && state.opensAt
            ? { opensAt: state.opensAt.toISOString() }
            : {}),
          overridable: true,
        });
      }
    }
    const artifact = await checked;
    for (const { check, refusal } of await this.options.checks.verdicts({
      phase: request.phase,
      entityRef: request.entityRef,
      environment: request.environment,
      artifact,
      requestedBy: request.requestedBy,
      dryRun: request.dryRun,
      force: request.force,
      reason: request.reason,
      releaseId: request.releaseId,
      deployId: request.deployId,
    })) {
      gates.push({
        name: `check:${check}`,
        passed: !refusal,
        message: refusal?.message ?? 'passed',
        overridable: true,
      });
    }
    const refusing = gates.filter(g => !g.passed);
    const overridden = Boolean(request.override) && refusing.length > 0;
    let approvals: GateVerdict['approvals'];
    if (config.approvals && !request.dryRun && request.phase === 'queue') {
      const { required, approvers, expiresAfterMs } = config.approvals;
      approvals = { required, expiresAfterMs };
      gates.push({
        name: 'approvals',
        passed: true,
        message: `waits for ${required} approval${
          required === 1 ? '' : 's'
        } from ${
          approvers.length ? approvers.join(' or ') : 'anyone who may approve'
        }${
          config.approvals.allowSelfApproval ? '' : ', not the requester'
        }, within ${Math.round(expiresAfterMs / MINUTE_MS / 60)} h`,
        overridable: false,
      });
    }
    return {
      allowed: refusing.length === 0 || Boolean(request.override),
      gates,
      overridden,
      approvals,
    };
  }

  /** The artifact with CI's check results, where the environment runs checks. */
  private async withCiChecks(request: GateRequest): Promise<Artifact> {
    const { artifact } = request;
    if (!request.environment.checks.length || !this.options.artifactChecks) {
      return artifact;
    }
    const checks = await this.options.artifactChecks.listChecks(artifact.id);
    return checks.length ? { ...artifact, checks } : artifact;
  }

  /**
   * Why the gates refuse to start a claimed deploy now (checked again just
   * before it starts: a window may have closed, what a check decides on
   * changed, or the artifact been rolled back where it is promoted from),
   * or undefined to let it start.
   */
  async startRefusal(
    deploy: Deploy,
    environment: EnvironmentConfig,
    artifact: Artifact,
  ): Promise<string | undefined> {
    const verdict = await this.evaluate({
      phase: 'start',
      entityRef: deploy.entityRef,
      environment,
      artifact,
      requestedBy: deploy.requestedBy,
      dryRun: deploy.dryRun,
      force: deploy.force,
      reason: deploy.reason,
      releaseId: deploy.releaseId,
      deployId: deploy.id,
      override: Boolean(deploy.gatesOverridden),
    });
    if (verdict.allowed) return undefined;
    return refusalMessage(
      verdict.gates.find(g => !g.passed)!,
      deploy.entityRef,
      environment.name,
      ' before it started',
    );
  }

  /**
   * Evaluates the gates and throws the 409 of the first that refuses,
   * naming the gate, the target and how to go on.
   */
  async assertAllowed(request: GateRequest): Promise<GateVerdict> {
    const verdict = await this.evaluate(request);
    if (!verdict.allowed) {
      throw new ConflictError(
        refusalMessage(
          verdict.gates.find(g => !g.passed)!,
          request.entityRef,
          request.environment.name,
        ),
      );
    }
    return verdict;
  }

  private async promotion(
    request: GateRequest,
    promotion: NonNullable<EnvironmentGatesConfig['promotion']>,
    now: Date,
  ): Promise<Gate> {
    const { artifact } = request;
    const { from, soakMs } = promotion;
    const to = request.environment.name;
    const soakMin = Math.round(soakMs / MINUTE_MS);
    const refuse = (message: string, opensAt?: Date): Gate => ({
      name: 'promotion',
      passed: false,
      message,
      ...(opensAt ? { opensAt: opensAt.toISOString() } : {}),
      overridable: true,
    });
    const facts = await this.options.promotions.promotionFacts({
      entityRef: request.entityRef,
      environment: from,
      artifactId: artifact.id,
    });
    if (!facts.latest) {
      return refuse(
        `${
          artifact.version
        } has not been deployed to ${from}: deploy it to ${from} first${
          soakMs ? ` and let it soak ${soakMin} minutes` : ''
        }, then promote it to ${to}`,
      );
    }
    if (facts.latest.status !== 'succeeded') {
      return refuse(
        `${artifact.version} ${
          facts.latest.status === 'lost' ? 'was lost' : 'failed'
        } in ${from} (deploy ${
          facts.latest.deployId
        }): deploy it to ${from} again and let it succeed there before ${to}`,
      );
    }
    if (facts.replacedByOlder) {
      return refuse(
        `${from} was rolled back from ${artifact.version} to ${facts.replacedByOlder.artifactVersion} (deploy ${facts.replacedByOlder.deployId}): ${artifact.version} may not go to ${to} until it runs in ${from} again`,
      );
    }
    const soaked = now.getTime() - facts.latest.finishedAt.getTime();
    if (soaked < soakMs) {
      const at = new Date(facts.latest.finishedAt.getTime() + soakMs);
      return refuse(
        `${artifact.version} has soaked ${Math.floor(
          soaked / MINUTE_MS,
        )} of ${soakMin} minutes in ${from}; it may go to ${to} at ${at
          .toISOString()
          .slice(11, 16)} UTC`,
        at,
      );
    }
    return {
      name: 'promotion',
      passed: true,
      message: `${artifact.version} succeeded in ${from} ${Math.floor(
        soaked / MINUTE_MS,
      )} minutes ago${soakMs ? ` (soak: ${soakMin} minutes)` : ''}`,
      overridable: true,
    };
  }
}

/** The 409 message of a refusing gate: the gate, the target, how to go on. */
export function refusalMessage(
  gate: Gate,
  entityRef: string,
  environment: string,
  when = '',
): string {
  if (gate.name.startsWith('check:')) {
    return `Refused by deploy check '${gate.name.slice(6)}'${when}: ${
      gate.message
    }`;
  }
  return `Refused by the ${
    gate.name
  } gate of ${environment} for ${entityRef}${when}: ${gate.message}${
    gate.overridable
      ? ' (someone with sled.gate.override may deploy past it, giving a reason)'
      : ''
  }`;
}
