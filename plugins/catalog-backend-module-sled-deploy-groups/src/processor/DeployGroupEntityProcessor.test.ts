import { Entity } from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import {
  DeployGroupClaims,
  DeployGroupEntityProcessor,
} from './DeployGroupEntityProcessor';

const location = { type: 'file', target: 'deploy-groups/team-discovery.yaml' };

const group = (name: string, spec: Record<string, unknown>): Entity => ({
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name },
  spec: spec as Entity['spec'],
});

/** Claims as the catalog would report them: group ref → member refs it holds. */
const claimsFrom = (held: Record<string, string[]>): DeployGroupClaims => ({
  async holdersOf(memberRefs) {
    const map = new Map<string, string[]>();
    for (const [groupRef, members] of Object.entries(held)) {
      for (const m of members.filter(x => memberRefs.includes(x))) {
        map.set(m, [...(map.get(m) ?? []), groupRef]);
      }
    }
    return map;
  },
});

async function process(entity: Entity, held: Record<string, string[]> = {}) {
  const processor = new DeployGroupEntityProcessor({
    claims: claimsFrom(held),
    logger: mockServices.logger.mock(),
  });
  const pre = await processor.preProcessEntity(entity);
  const valid = await processor.validateEntityKind(pre);
  const results: CatalogProcessorResult[] = [];
  if (valid) {
    await processor.postProcessEntity(pre, location, r => results.push(r));
  }
  return {
    pre,
    valid,
    relations: results.flatMap(r =>
      r.type === 'relation'
        ? [
            `${r.relation.source.kind}:${r.relation.source.namespace}/${r.relation.source.name} ${r.relation.type} ${r.relation.target.kind}:${r.relation.target.namespace}/${r.relation.target.name}`,
          ]
        : [],
    ),
    errors: results.flatMap(r => (r.type === 'error' ? [r.error.message] : [])),
  };
}

describe('DeployGroupEntityProcessor', () => {
  it('accepts a valid group, normalises member refs and emits relations both ways', async () => {
    const { pre, valid, relations, errors } = await process(
      group('team-discovery', {
        owner: 'team-discovery',
        members: [
          'search-api',
          'component:default/recommendations',
          'notifications',
        ],
        waves: [['search-api'], ['recommendations', 'notifications']],
      }),
    );
    expect(valid).toBe(true);
    expect(errors).toEqual([]);
    expect(pre.spec!.members).toEqual([
      'component:default/search-api',
      'component:default/recommendations',
      'component:default/notifications',
    ]);
    expect(pre.spec!.waves).toEqual([
      ['component:default/search-api'],
      ['component:default/recommendations', 'component:default/notifications'],
    ]);
    expect(relations).toEqual(
      expect.arrayContaining([
        'deploygroup:default/team-discovery ownedBy group:default/team-discovery',
        'group:default/team-discovery ownerOf deploygroup:default/team-discovery',
        'deploygroup:default/team-discovery hasDeployMember component:default/search-api',
        'component:default/search-api deployMemberOf deploygroup:default/team-discovery',
        'component:default/notifications deployMemberOf deploygroup:default/team-discovery',
      ]),
    );
    expect(relations).toHaveLength(2 + 2 * 3);
  });

  it('ignores other kinds', async () => {
    const processor = new DeployGroupEntityProcessor({
      claims: claimsFrom({}),
      logger: mockServices.logger.mock(),
    });
    await expect(
      processor.validateEntityKind({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
        spec: {},
      }),
    ).resolves.toBe(false);
  });

  it.each([
    ['no owner', { members: ['cart'] }, /owner/],
    ['no members', { owner: 'team-payments', members: [] }, /members/],
    [
      'an unknown spec field',
      { owner: 't', members: ['cart'], extra: 1 },
      /extra|additional/,
    ],
    [
      'a non-service member',
      { owner: 't', members: ['group:team-payments'] },
      /must be services/,
    ],
    [
      'a member listed twice',
      { owner: 't', members: ['cart', 'component:default/cart'] },
      /twice/,
    ],
    [
      'a wave member that is not a member',
      { owner: 't', members: ['cart'], waves: [['ledger']] },
      /not in spec.members/,
    ],
    [
      'a member in two waves',
      { owner: 't', members: ['cart'], waves: [['cart'], ['cart']] },
      /more than one wave/,
    ],
  ])('rejects a group with %s', async (_name, spec, message) => {
    await expect(process(group('bad', spec))).rejects.toThrow(message);
  });

  it('reports a service already in another group as an error on the later group, naming both', async () => {
    const { relations, errors } = await process(
      group('team-discovery', {
        owner: 'team-discovery',
        members: ['search-api', 'cart'],
      }),
      { 'deploygroup:default/mono-deploy': ['component:default/cart'] },
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /component:default\/cart is listed in deploy groups deploygroup:default\/mono-deploy and deploygroup:default\/team-discovery/,
      ),
    ]);
    expect(relations.filter(r => r.includes('hasDeployMember'))).toEqual([]);
  });

  it('keeps the group that already holds the member valid', async () => {
    const { errors, relations } = await process(
      group('mono-deploy', { owner: 'team-payments', members: ['cart'] }),
      { 'deploygroup:default/mono-deploy': ['component:default/cart'] },
    );
    expect(errors).toEqual([]);
    expect(relations).toContain(
      'deploygroup:default/mono-deploy hasDeployMember component:default/cart',
    );
  });

  it('fails exactly one of two groups that both hold a member after a concurrent first load', async () => {
    const held = {
      'deploygroup:default/mono-deploy': ['component:default/cart'],
      'deploygroup:default/payments': ['component:default/cart'],
    };
    const mono = await process(
      group('mono-deploy', { owner: 't', members: ['cart'] }),
      held,
    );
    const payments = await process(
      group('payments', { owner: 't', members: ['cart'] }),
      held,
    );
    expect(mono.errors).toEqual([]);
    expect(payments.errors).toHaveLength(1);
  });
});
