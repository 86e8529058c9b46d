import { AuthService } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readCatalogEntity } from '../service/readCatalogEntity';

/** A `DeployGroup` catalog entity (kind from the deploy-groups catalog module). */
export interface DeployGroup {
  entityRef: string;
  ownerRef?: string;
  /** full member refs, in the group's order */
  members: string[];
  waves: string[][];
}

const memberRef = (ref: string) =>
  stringifyEntityRef(
    parseEntityRef(ref, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    }),
  );

/** Reads deploy groups from the catalog with the plugin's own credentials. */
export class DeployGroupCatalog {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /** The group, or a 400 naming the field when it is not a deploy group. */
  async getDeployGroup(
    ref: string,
    field = 'deployGroup',
  ): Promise<DeployGroup> {
    let normalized: string;
    try {
      normalized = stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'deploygroup',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(
        `${field}: invalid entity ref '${ref}': ${(error as Error).message}`,
      );
    }
    const entity = await readCatalogEntity(this.catalog, this.auth, normalized);
    if (!entity || entity.kind.toLocaleLowerCase('en-US') !== 'deploygroup') {
      throw new InputError(
        `${field}: no DeployGroup '${normalized}' in the catalog`,
      );
    }
    const spec = (entity.spec ?? {}) as {
      members?: string[];
      waves?: string[][];
    };
    return {
      entityRef: stringifyEntityRef(entity),
      ownerRef: entity.relations?.find(r => r.type === RELATION_OWNED_BY)
        ?.targetRef,
      members: (spec.members ?? []).map(memberRef),
      waves: (spec.waves ?? []).map(w => w.map(memberRef)),
    };
  }

  /** For permission resources: the group, if it exists. */
  async findDeployGroup(ref: string): Promise<DeployGroup | undefined> {
    try {
      return await this.getDeployGroup(ref);
    } catch {
      return undefined;
    }
  }
}
