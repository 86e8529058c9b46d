import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DEPLOY_GROUP_KIND,
  RELATION_HAS_DEPLOY_MEMBER,
} from './DeployGroupEntity';

/**
 * Reads current memberships from the catalog itself: the stitched
 * `hasDeployMember` relations of every DeployGroup entity.
 *
 * @public
 */
export class CatalogDeployGroupClaims {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async holdersOf(memberRefs: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (!memberRefs.length) return result;
    // refs compare case-insensitively; answers are keyed by the refs given
    const wanted = new Map(
      memberRefs.map(r => [r.toLocaleLowerCase('en-US'), r] as const),
    );
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: DEPLOY_GROUP_KIND,
          [`relations.${RELATION_HAS_DEPLOY_MEMBER}`]: memberRefs,
        },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    for (const group of items) {
      const groupRef = stringifyEntityRef(group);
      for (const rel of group.relations ?? []) {
        if (rel.type !== RELATION_HAS_DEPLOY_MEMBER) continue;
        const key = wanted.get(
          stringifyEntityRef(parseEntityRef(rel.targetRef)).toLocaleLowerCase(
            'en-US',
          ),
        );
        if (!key) continue;
        result.set(key, [...(result.get(key) ?? []), groupRef]);
      }
    }
    return result;
  }
}
