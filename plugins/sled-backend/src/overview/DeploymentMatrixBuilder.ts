import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  DeploymentCell,
  DeploymentEnvironment,
  DeploymentMatrix,
  DeploymentMatrixQuery,
  DeploymentRow,
  Lock,
} from '@internal/plugin-sled-common';
import { LockStore } from '../database/LockStore';
import { SledTargetFilter } from '../database/targetFilter';
import { DeployGates } from '../gates/DeployGates';
import { environmentGates } from '../gates/environmentGates';
import { SledTarget } from '../permissions/rules';
import { SledEnvironments } from '../service/SledEnvironments';
import { DeploymentService } from './DeploymentServices';
import { CurrentDeploy, DeploymentStore, OpenDeploys } from './DeploymentStore';

/** What the caller may read: the SQL filter of lists, and a decision per target. */
export interface DeploymentReader {
  /** undefined: everything */
  filter?: SledTargetFilter;
  /** one decision for many targets, in their order */
  readable(targets: SledTarget[]): Promise<boolean[]>;
}

const key = (entityRef: string, environment: string) =>
  `${entityRef}#${environment}`;

/** A filter value as an entity ref, `team-a` read as `<defaultKind>:default/team-a`. */
function refOf(
  value: string | undefined,
  field: string,
  defaultKind: string,
): string | undefined {
  if (value === undefined) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace: 'default' }),
    ).toLocaleLowerCase('en-US');
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
}

const same = (ref: string | undefined, wanted: string | undefined) =>
  wanted === undefined || ref?.toLocaleLowerCase('en-US') === wanted;

const sortedUnique = (values: Array<string | undefined>) =>
  [...new Set(values.filter((v): v is string => !!v))].sort();

/**
 * The deployments matrix: every deployable service × every environment,
 * with the version that runs there, drift from the environment before it
 * in the promotion path, open deploys and the lock in force. The deploys
 * are read in two grouped queries and the locks in one, whatever the number
 * of services; the catalog in one request.
 */
export class DeploymentMatrixBuilder {
  constructor(
    private readonly options: {
      services: { list(): Promise<DeploymentService[]> };
      store: DeploymentStore;
      locks: Pick<LockStore, 'listLocks'>;
      environments: SledEnvironments;
      gates: DeployGates;
    },
  ) {}

  /**
   * The environment each one's drift is measured against: its promotion
   * gate's `from`, else the one before it in configuration order.
   */
  promotionPath(): Map<string, string | undefined> {
    const { environments, gates } = this.options;
    return new Map(
      environments.list.map((env, i) => [
        env.name,
        gates.configOf(env.name).promotion?.from ??
          environments.list[i - 1]?.name,
      ]),
    );
  }

  async build(
    query: DeploymentMatrixQuery,
    reader: DeploymentReader,
    now = new Date(),
  ): Promise<DeploymentMatrix> {
    const owner = refOf(query.owner, 'owner', 'group');
    const system = refOf(query.system, 'system', 'system');
    const deployGroup = refOf(query.deployGroup, 'deployGroup', 'deploygroup');
    const { environments, gates, store, locks } = this.options;
    const names = environments.list.map(e => e.name);

    const [catalogServices, current, open, allLocks] = await Promise.all([
      this.options.services.list(),
      store.listCurrentDeploys(reader.filter),
      store.listOpenDeploys(reader.filter),
      locks.listLocks({ filter: reader.filter }),
    ]);

    // which cells the caller may read: one decision for all of them
    const targets = catalogServices.flatMap(service =>
      names.map(environment => ({
        entityRef: service.entityRef,
        environment,
        ownerRef: service.ownerRef,
      })),
    );
    const decisions = await reader.readable(targets);
    const readableCells = new Set(
      targets
        .filter((_, i) => decisions[i])
        .map(t => key(t.entityRef, t.environment)),
    );
    const readable = catalogServices.filter(service =>
      names.some(env => readableCells.has(key(service.entityRef, env))),
    );
    const shown = readable
      .filter(
        s =>
          same(s.ownerRef, owner) &&
          same(s.system, system) &&
          same(s.deployGroup, deployGroup),
      )
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));

    const currentOf = new Map<string, CurrentDeploy>(
      current.map(c => [key(c.entityRef, c.environment), c]),
    );
    const openOf = new Map<string, OpenDeploys>(
      open.map(o => [key(o.entityRef, o.environment), o]),
    );
    const path = this.promotionPath();
    const lockOf = (service: DeploymentService, environment: string) =>
      allLocks.find(
        l => l.environment === environment && l.entityRef === service.entityRef,
      ) ??
      (service.deployGroup
        ? allLocks.find(
            l =>
              l.environment === environment &&
              l.deployGroup === service.deployGroup,
          )
        : undefined) ??
      allLocks.find(
        l => l.environment === environment && !l.entityRef && !l.deployGroup,
      );

    const pendingByEnv = new Map<string, number>(names.map(n => [n, 0]));
    const services: DeploymentRow[] = shown.map(service => {
      const cells: DeploymentCell[] = names.flatMap(environment => {
        const here = key(service.entityRef, environment);
        if (!readableCells.has(here)) return [];
        const deploy = currentOf.get(here);
        const from = path.get(environment);
        const there = from && key(service.entityRef, from);
        const drift =
          !!there &&
          readableCells.has(there) &&
          (deploy?.artifactId ?? null) !==
            (currentOf.get(there)?.artifactId ?? null);
        const pending = openOf.get(here)?.awaitingApproval ?? 0;
        pendingByEnv.set(environment, pendingByEnv.get(environment)! + pending);
        const lock: Lock | undefined = lockOf(service, environment);
        return [
          {
            environment,
            ...(deploy
              ? {
                  current: {
                    deployId: deploy.deployId,
                    artifactId: deploy.artifactId,
                    version: deploy.version,
                    ...(deploy.finishedAt
                      ? { deployedAt: deploy.finishedAt }
                      : {}),
                  },
                }
              : {}),
            drift,
            pendingApprovals: pending,
            deploying: (openOf.get(here)?.inProgress ?? 0) > 0,
            ...(lock ? { lock } : {}),
          },
        ];
      });
      return { ...service, environments: cells };
    });

    const columns: DeploymentEnvironment[] = names.map(name => {
      const from = path.get(name);
      const { window } = environmentGates(gates, name, now);
      return {
        name,
        ...(from ? { promotionFrom: from } : {}),
        ...(window ? { window } : {}),
        pendingApprovals: pendingByEnv.get(name)!,
        locks: allLocks.filter(
          l => l.environment === name && !l.entityRef && !l.deployGroup,
        ),
      };
    });

    return {
      environments: columns,
      services,
      facets: {
        owners: sortedUnique(readable.map(s => s.ownerRef)),
        systems: sortedUnique(readable.map(s => s.system)),
        deployGroups: sortedUnique(readable.map(s => s.deployGroup)),
      },
    };
  }
}
