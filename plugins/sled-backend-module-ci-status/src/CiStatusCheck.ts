import { Artifact, ArtifactCheck } from '@internal/plugin-sled-common';
import {
  DeployCheck,
  DeployCheckContext,
  DeployCheckRefusal,
} from '@internal/plugin-sled-node';
import { CiStatusSettings } from './CiStatusSettings';

/** A CI check that keeps an artifact out, and why. */
interface Unpassed {
  name: string;
  state: 'failed' | 'pending' | 'missing';
  url?: string;
}

// a failure is reported before what waiting may still fix
const SEVERITY: Record<Unpassed['state'], number> = {
  failed: 0,
  pending: 1,
  missing: 2,
};

const HOW_TO_PROCEED: Record<Unpassed['state'], string> = {
  failed: 'fix it and register a new build',
  pending: 'wait for CI',
  missing: 'wait for CI to report it',
};

const STATE: Record<Unpassed['state'], string> = {
  failed: 'failed',
  pending: 'is still pending',
  missing: 'has not been reported by CI',
};

/**
 * The `ci-status` deploy check: refuses an artifact whose CI checks, as CI
 * recorded them (`artifact.checks`), did not pass. With
 * `sled.ciStatus.required`, those named must have passed and others are
 * ignored; without it, every recorded check must have passed and at least
 * one must be recorded. Dry runs are checked the same way.
 *
 * @public
 */
export class CiStatusCheck implements DeployCheck {
  readonly name = 'ci-status';

  constructor(private readonly settings: CiStatusSettings) {}

  async evaluate(
    context: DeployCheckContext,
  ): Promise<DeployCheckRefusal | undefined> {
    const { artifact } = context;
    const recorded = artifact.checks ?? [];
    if (!this.settings.required && recorded.length === 0) {
      return {
        message: `${artifact.version}: no CI checks have been reported by CI; wait for CI to report them`,
      };
    }
    const unpassed = this.unpassed(recorded);
    return unpassed.length
      ? { message: refusal(artifact, unpassed) }
      : undefined;
  }

  private unpassed(recorded: ArtifactCheck[]): Unpassed[] {
    const byName = new Map(recorded.map(check => [check.name, check]));
    const names = this.settings.required ?? [...byName.keys()];
    const unpassed: Unpassed[] = [];
    for (const name of names) {
      const check = byName.get(name);
      if (!check) {
        unpassed.push({ name, state: 'missing' });
      } else if (check.status !== 'passed') {
        unpassed.push({
          name,
          state: check.status === 'pending' ? 'pending' : 'failed',
          url: check.url,
        });
      }
    }
    // stable: checks of one state keep the order they are required in
    return unpassed.sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state]);
  }
}

function refusal(artifact: Artifact, unpassed: Unpassed[]): string {
  const [first, ...others] = unpassed;
  const url = first.url ? ` (${first.url})` : '';
  const also = others.length
    ? `, and ${others.map(o => `'${o.name}' ${STATE[o.state]}`).join(', ')}`
    : '';
  return `${artifact.version}: CI check '${first.name}' ${
    STATE[first.state]
  }${url}${also}; ${HOW_TO_PROCEED[first.state]}`;
}
