import {
  DeployCheck,
  DeployCheckContext,
  SledDeployChecksExtensionPoint,
} from '@internal/plugin-sled-node';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** A check's refusal of a deploy, with the check's name. */
export interface DeployCheckVerdict {
  check: string;
  message: string;
}

/**
 * The deploy checks of this backend (the deploy-checks extension point), and
 * running those an environment lists (`sled.environments[].checks`), in the
 * order listed; the first refusal decides. A check that throws refuses: a
 * gate that cannot decide keeps the deploy out.
 */
export class DeployChecks implements SledDeployChecksExtensionPoint {
  private readonly checks = new Map<string, DeployCheck>();

  addCheck(check: DeployCheck) {
    if (!NAME.test(check.name)) {
      throw new Error(
        `Deploy check name '${check.name}' must be lower-case letters, digits and dashes, starting with a letter`,
      );
    }
    if (this.checks.has(check.name)) {
      throw new Error(`The deploy check '${check.name}' is added twice`);
    }
    this.checks.set(check.name, check);
  }

  /** the names of the added checks, sorted */
  get names(): string[] {
    return [...this.checks.keys()].sort();
  }

  /** The first refusal of the environment's checks, or undefined. */
  async refusal(
    context: DeployCheckContext,
  ): Promise<DeployCheckVerdict | undefined> {
    for (const name of context.environment.checks) {
      const refused = await this.evaluate(name, context);
      if (refused) return refused;
    }
    return undefined;
  }

  /** Every check of the environment, in order: its refusal, or undefined when it lets the deploy go. */
  async verdicts(
    context: DeployCheckContext,
  ): Promise<Array<{ check: string; refusal?: DeployCheckVerdict }>> {
    const verdicts = [];
    for (const name of context.environment.checks) {
      verdicts.push({
        check: name,
        refusal: await this.evaluate(name, context),
      });
    }
    return verdicts;
  }

  private async evaluate(
    name: string,
    context: DeployCheckContext,
  ): Promise<DeployCheckVerdict | undefined> {
    const check = this.checks.get(name);
    // start-up refuses environments naming unknown checks
    if (!check) throw new Error(`No deploy check '${name}'`);
    try {
      const refused = await check.evaluate(context);
      return refused ? { check: name, message: refused.message } : undefined;
    } catch (error) {
      return {
        check: name,
        message: `the check could not decide: ${(error as Error).message}`,
      };
    }
  }
}
