import {
  Entity,
  entityKindSchemaValidator,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  DEPLOY_GROUP_API_VERSION,
  DEPLOY_GROUP_KIND,
  DeployGroupEntity,
  deployGroupSchema,
  isDeployGroupEntity,
  RELATION_DEPLOY_MEMBER_OF,
  RELATION_HAS_DEPLOY_MEMBER,
} from './DeployGroupEntity';

/**
 * Which deploy groups currently hold (have a `hasDeployMember` relation to)
 * each of the given services in the catalog.
 *
 * @public
 */
export interface DeployGroupClaims {
  holdersOf(memberRefs: string[]): Promise<Map<string, string[]>>;
}

/** @public */
export interface DeployGroupEntityProcessorOptions {
  claims: DeployGroupClaims;
  logger: LoggerService;
}

const toMemberRef = (ref: string) =>
  stringifyEntityRef(
    parseEntityRef(ref, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    }),
  );

const validateKind =
  entityKindSchemaValidator<DeployGroupEntity>(deployGroupSchema);

/**
 * Validates `DeployGroup` entities, emits group ⇄ member and ownership
 * relations, and reports a service claimed by two groups.
 *
 * A service belongs to at most one group. When two groups list it, the error
 * lands on the later one: the group that does not hold the member yet, or —
 * if both hold it after a concurrent first load — the one whose ref sorts last,
 * so exactly one of the two fails and the outcome does not depend on timing.
 *
 * @public
 */
export class DeployGroupEntityProcessor implements CatalogProcessor {
  constructor(private readonly options: DeployGroupEntityProcessorOptions) {}

  getProcessorName(): string {
    return 'DeployGroupEntityProcessor';
  }

  /** Member and wave refs are normalised to full refs, so consumers can compare them. */
  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (!isDeployGroupEntity(entity) || !entity.spec) {
      return entity;
    }
    const normalise = (ref: unknown) => {
      if (typeof ref !== 'string' || !ref) return ref;
      try {
        return toMemberRef(ref);
      } catch {
        return ref; // left as written; validation reports it
      }
    };
    const spec = entity.spec as Record<string, unknown>;
    return {
      ...entity,
      spec: {
        ...entity.spec,
        ...(Array.isArray(spec.members)
          ? { members: spec.members.map(normalise) }
          : {}),
        ...(Array.isArray(spec.waves)
          ? {
              waves: spec.waves.map(w =>
                Array.isArray(w) ? w.map(normalise) : w,
              ),
            }
          : {}),
      } as Entity['spec'],
    };
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (
      entity.apiVersion !== DEPLOY_GROUP_API_VERSION ||
      entity.kind !== DEPLOY_GROUP_KIND
    ) {
      return false;
    }
    const group = validateKind(entity);
    if (!group) return false;
    const name = stringifyEntityRef(group);
    const members = group.spec.members.map(m => {
      try {
        return toMemberRef(m);
      } catch (e) {
        throw new Error(
          `${name}: spec.members has an invalid entity ref "${m}"`,
        );
      }
    });
    for (const m of members) {
      if (parseEntityRef(m).kind !== 'component') {
        throw new Error(
          `${name}: spec.members must be services (kind Component), got "${m}"`,
        );
      }
    }
    const dup = members.find((m, i) => members.indexOf(m) !== i);
    if (dup) {
      throw new Error(`${name}: spec.members lists "${dup}" twice`);
    }
    const seen = new Set<string>();
    (group.spec.waves ?? []).forEach((wave, i) => {
      for (const raw of wave) {
        const ref = members.includes(raw) ? raw : safeRef(raw);
        if (!ref || !members.includes(ref)) {
          throw new Error(
            `${name}: spec.waves[${i}] lists "${raw}", which is not in spec.members`,
          );
        }
        if (seen.has(ref)) {
          throw new Error(
            `${name}: spec.waves lists "${ref}" in more than one wave`,
          );
        }
        seen.add(ref);
      }
    });
    return true;
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isDeployGroupEntity(entity)) {
      return entity;
    }
    const self = stringifyEntityRef(entity);
    const selfRef = parseEntityRef(self);
    const owner = parseEntityRef(entity.spec.owner, {
      defaultKind: 'group',
      defaultNamespace: selfRef.namespace,
    });
    emit(
      processingResult.relation({
        source: selfRef,
        type: RELATION_OWNED_BY,
        target: owner,
      }),
    );
    emit(
      processingResult.relation({
        source: owner,
        type: RELATION_OWNER_OF,
        target: selfRef,
      }),
    );

    const members = entity.spec.members.map(toMemberRef);
    const conflicts = await this.conflicts(self, members);
    if (conflicts.length) {
      for (const { member, other } of conflicts) {
        emit(
          processingResult.inputError(
            location,
            `Service ${member} is listed in deploy groups ${other} and ${self}; a service belongs to at most one deploy group. Remove it from one of them.`,
          ),
        );
      }
      return entity;
    }
    for (const member of members) {
      const target = parseEntityRef(member);
      emit(
        processingResult.relation({
          source: selfRef,
          type: RELATION_HAS_DEPLOY_MEMBER,
          target,
        }),
      );
      emit(
        processingResult.relation({
          source: target,
          type: RELATION_DEPLOY_MEMBER_OF,
          target: selfRef,
        }),
      );
    }
    return entity;
  }

  private async conflicts(self: string, members: string[]) {
    let holders: Map<string, string[]>;
    try {
      holders = await this.options.claims.holdersOf(members);
    } catch (error) {
      // The catalog may not serve yet (first processing after start-up); the
      // next processing round checks again.
      this.options.logger.warn(
        `Could not check deploy group membership of ${self}, skipping the duplicate check this round: ${error}`,
      );
      return [];
    }
    const result: { member: string; other: string }[] = [];
    for (const member of members) {
      const groups = (holders.get(member) ?? []).map(g =>
        g.toLocaleLowerCase('en-US'),
      );
      const me = self.toLocaleLowerCase('en-US');
      const others = groups.filter(g => g !== me).sort();
      if (!others.length) continue;
      const selfHolds = groups.includes(me);
      if (!selfHolds || others[0] < me) {
        result.push({ member, other: others[0] });
      }
    }
    return result;
  }
}

function safeRef(ref: string): string | undefined {
  try {
    return toMemberRef(ref);
  } catch {
    return undefined;
  }
}
