import {
  ApiBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import {
  ALL_RELATION_PAIRS,
  ALL_RELATIONS,
  catalogGraphApiRef,
  DefaultCatalogGraphApi,
} from '@backstage/plugin-catalog-graph';
import {
  RELATION_DEPLOY_MEMBER_OF,
  RELATION_HAS_DEPLOY_MEMBER,
} from '@internal/plugin-sled-common';

/**
 * The catalog graph's relations: Backstage's own and SLeD's deploy groups
 * (group → service `hasDeployMember`, service → group `deployMemberOf`),
 * drawn by default in the entity Relations card and the graph page. As a
 * pair, an edge between a group and a member is labelled with both names.
 */
export const catalogGraphRelations = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: catalogGraphApiRef,
      deps: {},
      factory: () =>
        new DefaultCatalogGraphApi({
          knownRelations: [
            ...ALL_RELATIONS,
            RELATION_HAS_DEPLOY_MEMBER,
            RELATION_DEPLOY_MEMBER_OF,
          ],
          knownRelationPairs: [
            ...ALL_RELATION_PAIRS,
            [RELATION_HAS_DEPLOY_MEMBER, RELATION_DEPLOY_MEMBER_OF],
          ],
          defaultRelationTypes: { exclude: [] },
        }),
    }),
});

/** Replaces the catalog graph plugin's own `api:catalog-graph`. */
export const catalogGraphModule = createFrontendModule({
  pluginId: 'catalog-graph',
  extensions: [catalogGraphRelations],
});
