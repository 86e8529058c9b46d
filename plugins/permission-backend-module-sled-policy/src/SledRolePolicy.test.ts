import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRule,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  SledDeployGroupResource,
  sledDeployGroupRules,
  sledGateRules,
  sledLockRules,
  sledTargetRules,
} from '@internal/plugin-sled-backend';
import { sledPermissions } from '@internal/plugin-sled-common';
import fs from 'fs';
import path from 'path';
import yaml from 'yaml';
import { SledRolePolicy, readSledRoles } from './SledRolePolicy';

// the example policy exactly as app-config.yaml ships it
const appConfig = yaml.parse(
  fs.readFileSync(path.resolve(__dirname, '../../../app-config.yaml'), 'utf8'),
);
const policy = new SledRolePolicy(
  readSledRoles(new ConfigReader({ sled: appConfig.sled })),
);
// each resource type's conditions are evaluated with its own rules
function ruleset<TResource>(rules: {
  [name: string]: PermissionRule<TResource, any, string>;
}): PermissionRuleset<TResource> {
  return {
    getRuleByName(name) {
      const rule = Object.values(rules).find(r => r.name === name);
      if (!rule) throw new Error(`no rule ${name}`);
      return rule;
    },
  };
}
const appliesToTarget = createConditionAuthorizer(ruleset(sledTargetRules));
const appliesToLock = createConditionAuthorizer(ruleset(sledLockRules));
const appliesToGate = createConditionAuthorizer(ruleset(sledGateRules));
const appliesToGroup = createConditionAuthorizer(ruleset(sledDeployGroupRules));

const deployGroup = (name: string, owner: string): SledDeployGroupResource => ({
  entityRef: `deploygroup:default/${name}`,
  ownerRef: owner,
});
const groups: Record<string, SledDeployGroupResource> = {
  'team-discovery': deployGroup(
    'team-discovery',
    'group:default/team-discovery',
  ),
  'mono-deploy': deployGroup('mono-deploy', 'group:default/release-managers'),
};

// ownership claims as the catalog resolves them for the example organisation
const users: Record<string, string[] | undefined> = {
  'alice (team-payments lead)': [
    'user:default/alice',
    'group:default/team-payments',
  ],
  'bob (team-payments engineer)': [
    'user:default/bob',
    'group:default/team-payments',
  ],
  'dave (team-discovery lead)': [
    'user:default/dave',
    'group:default/team-discovery',
  ],
  'grace (release manager)': [
    'user:default/grace',
    'group:default/release-managers',
  ],
  'guest (team-payments)': [
    'user:default/guest',
    'group:default/team-payments',
  ],
  'no user (service principal)': undefined,
};
const payments = {
  entityRef: 'component:default/payments',
  ownerRef: 'group:default/team-payments',
};
const permission = (name: string) =>
  sledPermissions.find(p => p.name === name)!;

function decide(user: string, name: string, environment?: string): boolean {
  const decision = policy.decide({ permission: permission(name) }, users[user]);
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW;
  }
  const applies =
    {
      'sled-lock': appliesToLock,
      'sled-gate': appliesToGate,
    }[decision.resourceType] ?? appliesToTarget;
  return applies(decision, { ...payments, environment });
}

describe('SledRolePolicy with the example app-config', () => {
  // user × environment × action → may they do it to the payments service?
  it.each`
    user                              | action                      | environment      | allowed
    ${'alice (team-payments lead)'}   | ${'sled.deploy.create'}     | ${'development'} | ${true}
    ${'alice (team-payments lead)'}   | ${'sled.deploy.create'}     | ${'staging'}     | ${true}
    ${'alice (team-payments lead)'}   | ${'sled.deploy.create'}     | ${'production'}  | ${true}
    ${'bob (team-payments engineer)'} | ${'sled.deploy.create'}     | ${'production'}  | ${true}
    ${'dave (team-discovery lead)'}   | ${'sled.deploy.create'}     | ${'development'} | ${true}
    ${'dave (team-discovery lead)'}   | ${'sled.deploy.create'}     | ${'staging'}     | ${false}
    ${'dave (team-discovery lead)'}   | ${'sled.deploy.create'}     | ${'production'}  | ${false}
    ${'grace (release manager)'}      | ${'sled.deploy.create'}     | ${'production'}  | ${true}
    ${'grace (release manager)'}      | ${'sled.deploy.create'}     | ${'staging'}     | ${false}
    ${'guest (team-payments)'}        | ${'sled.deploy.create'}     | ${'development'} | ${true}
    ${'guest (team-payments)'}        | ${'sled.deploy.create'}     | ${'staging'}     | ${true}
    ${'alice (team-payments lead)'}   | ${'sled.deploy.cancel'}     | ${'production'}  | ${true}
    ${'dave (team-discovery lead)'}   | ${'sled.deploy.cancel'}     | ${'production'}  | ${false}
    ${'alice (team-payments lead)'}   | ${'sled.lock.override'}     | ${'production'}  | ${false}
    ${'grace (release manager)'}      | ${'sled.lock.override'}     | ${'production'}  | ${true}
    ${'bob (team-payments engineer)'} | ${'sled.deploy.approve'}    | ${'production'}  | ${true}
    ${'dave (team-discovery lead)'}   | ${'sled.deploy.approve'}    | ${'production'}  | ${false}
    ${'grace (release manager)'}      | ${'sled.deploy.approve'}    | ${'production'}  | ${true}
    ${'grace (release manager)'}      | ${'sled.deploy.approve'}    | ${'staging'}     | ${false}
    ${'alice (team-payments lead)'}   | ${'sled.gate.override'}     | ${'production'}  | ${false}
    ${'grace (release manager)'}      | ${'sled.gate.override'}     | ${'production'}  | ${true}
    ${'guest (team-payments)'}        | ${'sled.read'}              | ${'production'}  | ${true}
    ${'dave (team-discovery lead)'}   | ${'sled.read'}              | ${'production'}  | ${true}
    ${'alice (team-payments lead)'}   | ${'sled.artifact.register'} | ${undefined}     | ${false}
    ${'grace (release manager)'}      | ${'sled.artifact.register'} | ${undefined}     | ${false}
    ${'no user (service principal)'}  | ${'sled.deploy.create'}     | ${'development'} | ${false}
  `(
    '$user: $action in $environment → $allowed',
    ({ user, action, environment, allowed }) => {
      expect(decide(user, action, environment)).toBe(allowed);
    },
  );

  // user × deploy group → may they release it? (sled.release on sled's deploy-group resource)
  it.each`
    user                              | group               | allowed
    ${'dave (team-discovery lead)'}   | ${'team-discovery'} | ${true}
    ${'alice (team-payments lead)'}   | ${'team-discovery'} | ${false}
    ${'bob (team-payments engineer)'} | ${'team-discovery'} | ${false}
    ${'alice (team-payments lead)'}   | ${'mono-deploy'}    | ${false}
    ${'grace (release manager)'}      | ${'team-discovery'} | ${true}
    ${'grace (release manager)'}      | ${'mono-deploy'}    | ${true}
    ${'guest (team-payments)'}        | ${'team-discovery'} | ${true}
    ${'no user (service principal)'}  | ${'team-discovery'} | ${false}
  `('$user releases $group → $allowed', ({ user, group, allowed }) => {
    const decision = policy.decide(
      { permission: permission('sled.release') },
      users[user],
    );
    const result =
      decision.result === AuthorizeResult.CONDITIONAL
        ? appliesToGroup(decision, groups[group])
        : decision.result === AuthorizeResult.ALLOW;
    expect(result).toBe(allowed);
  });

  it('grants release to group owners as a condition on sled’s deploy-group resource', () => {
    const decision = policy.decide(
      { permission: permission('sled.release') },
      users['dave (team-discovery lead)'],
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'sled',
      resourceType: 'sled-deploy-group',
      conditions: {
        rule: 'IS_DEPLOY_GROUP_OWNER',
        params: { claims: users['dave (team-discovery lead)'] },
      },
    });
  });

  it('leaves other plugins alone', () => {
    const catalogRead = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(
      policy.decide({ permission: catalogRead }, users['guest (team-payments)'])
        .result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('can restrict reading to services the user’s team owns', () => {
    const restricted = new SledRolePolicy([
      {
        name: 'owners-read',
        members: ['*'],
        actions: ['read'],
        requireOwnership: true,
      },
    ]);
    const decision = restricted.decide(
      { permission: permission('sled.read') },
      users['dave (team-discovery lead)'],
    );
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(
      appliesToTarget(decision, { ...payments, environment: 'local' }),
    ).toBe(false);
    expect(
      appliesToTarget(decision, {
        entityRef: 'component:default/search-api',
        ownerRef: 'group:default/team-discovery',
        environment: 'local',
      }),
    ).toBe(true);
  });

  it('refuses an unknown action in config, naming the key', () => {
    expect(() =>
      readSledRoles(
        new ConfigReader({
          sled: {
            policy: {
              roles: [{ name: 'x', members: ['*'], actions: ['delpoy'] }],
            },
          },
        }),
      ),
    ).toThrow(/sled\.policy\.roles\[0\]\.actions: unknown action 'delpoy'/);
  });
});
