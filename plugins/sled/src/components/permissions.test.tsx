import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  Environment,
  Lock,
  Release,
  sledDeployCancelPermission,
  sledDeployCreatePermission,
  sledLockPermission,
  sledPermissions,
  sledReleasePermission,
  stringifySledTargetRef,
} from '@internal/plugin-sled-common';
import { EntitySledArtifactsContent } from './ArtifactsContent/EntitySledArtifactsContent';
import { EntitySledDeployContent } from './DeployContent/EntitySledDeployContent';
import { EntitySledReleaseContent } from './ReleaseContent/EntitySledReleaseContent';
import { renderSled } from '../__testUtils__/renderSled';
import {
  BASE_URL,
  makeArtifact,
  makeService,
  makeServiceState,
} from '../__testUtils__/fixtures';
import { serviceHandlers } from '../__testUtils__/handlers';

/*
 * For every action button of every view: deny exactly the permission it
 * needs, on exactly its resource, and allow everything else. That button
 * (and any other needing the very same permission on the same resource) must
 * be disabled with its reason, and every other button of the view enabled.
 * A button that ignores its permission, or checks another one or another
 * resource, fails a row of these tables.
 */

const server = setupServer();
registerMswTestHooks(server);

/** A permission on the resources (refs of the entity shown) it is needed on. */
interface Requirement {
  permission: Permission;
  /** for test names, e.g. `<service>#staging` */
  on: string;
  resourceRefs: (entityRef: string) => string[];
}

interface ButtonSpec {
  /** for test names */
  label: string;
  /** the button, looked up afresh on every try (the views re-render) */
  find: () => HTMLElement;
  /** none: the button is enabled whatever the permissions */
  needs?: Requirement;
  /** the tooltip of the button once `needs` is denied */
  deniedReason?: string;
}

type Authorize = (
  request: EvaluatePermissionRequest,
) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;

interface View {
  title: string;
  /**
   * A new entity of that name: usePermission caches decisions per
   * permission and resource across the tests of a file, so every test shows
   * an entity of its own.
   */
  entity: (name: string) => Entity;
  render: (entity: Entity, authorize: Authorize) => unknown;
  buttons: ButtonSpec[];
}

const targetOf =
  (...environments: string[]) =>
  (entityRef: string) =>
    environments.map(environment =>
      stringifySledTargetRef({ entityRef, environment }),
    );

const ENVIRONMENTS = ['staging', 'production'];

/** The card of one environment on the Deploy tab. */
function environmentCard(name: string) {
  const title = screen.getByText(name, { selector: 'span' });
  return within(title.closest('.MuiCard-root') as HTMLElement);
}

function cardButton(environment: string, name: string) {
  return () => environmentCard(environment).getByRole('button', { name });
}

function artifactDeployButton(version: string) {
  return () =>
    within(screen.getByText(version).closest('tr') as HTMLElement).getByRole(
      'button',
      { name: 'Deploy' },
    );
}

const pageButton = (name: string) => () => screen.getByRole('button', { name });

/** staging runs 1.2.0 with 1.3.0 deploying; production runs 1.1.0, locked. */
function serveServices() {
  server.use(...serviceHandlers(() => makeServiceState()));
  server.use(
    http.get(`${BASE_URL}/state`, ({ request }) => {
      const state = makeServiceState(
        new URL(request.url).searchParams.get('entityRef')!,
      );
      // something to roll back to in production as well
      state.environments[1].rollbackTarget = makeArtifact(0);
      return HttpResponse.json(state);
    }),
  );
}

const deployTo = (environment: string): Requirement => ({
  permission: sledDeployCreatePermission,
  on: `<service>#${environment}`,
  resourceRefs: targetOf(environment),
});

const lockIn = (environment: string): Requirement => ({
  permission: sledLockPermission,
  on: `<service>#${environment}`,
  resourceRefs: targetOf(environment),
});

const deployTab: View = {
  title: 'Deploy tab',
  entity: makeService,
  render: (entity, authorize) =>
    renderSled(<EntitySledDeployContent />, { entity, authorize }),
  buttons: [
    {
      label: 'staging Deploy',
      find: cardButton('staging', 'Deploy'),
      needs: deployTo('staging'),
      deniedReason: 'You are not allowed to deploy to staging',
    },
    {
      label: 'staging Roll back',
      find: cardButton('staging', 'Roll back'),
      needs: deployTo('staging'),
      deniedReason: 'You are not allowed to deploy to staging',
    },
    {
      label: 'staging Cancel deploy',
      find: cardButton('staging', 'Cancel deploy'),
      needs: {
        permission: sledDeployCancelPermission,
        on: '<service>#staging',
        resourceRefs: targetOf('staging'),
      },
      deniedReason: 'You are not allowed to cancel deploys in staging',
    },
    {
      label: 'staging Lock',
      find: cardButton('staging', 'Lock'),
      needs: lockIn('staging'),
      deniedReason: 'You are not allowed to lock or unlock staging',
    },
    {
      label: 'production Deploy',
      find: cardButton('production', 'Deploy'),
      needs: deployTo('production'),
      deniedReason: 'You are not allowed to deploy to production',
    },
    {
      label: 'production Roll back',
      find: cardButton('production', 'Roll back'),
      needs: deployTo('production'),
      deniedReason: 'You are not allowed to deploy to production',
    },
    {
      label: 'production Unlock',
      find: cardButton('production', 'Unlock'),
      needs: lockIn('production'),
      deniedReason: 'You are not allowed to lock or unlock production',
    },
    {
      label: 'production Show log',
      find: cardButton('production', 'Show log'),
    },
  ],
};

const artifactsTab: View = {
  title: 'Artifacts tab',
  entity: makeService,
  render: (entity, authorize) =>
    renderSled(<EntitySledArtifactsContent />, { entity, authorize }),
  // one Deploy per artifact, for any environment the user may deploy to
  buttons: ['1.5.0', '1.3.0', '1.1.0'].map(version => ({
    label: `${version} Deploy`,
    find: artifactDeployButton(version),
    needs: {
      permission: sledDeployCreatePermission,
      on: '<service>#<every environment>',
      resourceRefs: targetOf(...ENVIRONMENTS),
    },
    deniedReason:
      'You are not allowed to deploy this service to any environment',
  })),
};

const ROCKET = 'component:default/rocket';
const MOON = 'component:default/moon';

function makeRelease(
  deployGroup: string,
  status: 'running' | 'succeeded',
): Release {
  const memberStatus = status === 'running' ? 'running' : 'succeeded';
  return {
    id: 'release-1',
    deployGroup,
    environment: 'staging',
    status,
    dryRun: false,
    requestedBy: 'user:default/jane.doe',
    members: [ROCKET, MOON].map((entityRef, wave) => ({
      entityRef,
      wave,
      artifactId: 'artifact-5',
      artifactVersion: '1.5.0',
      status: memberStatus,
    })),
    createdAt: new Date().toISOString(),
  };
}

function makeDeployGroup(name: string): Entity {
  return {
    apiVersion: 'sled.dev/v1alpha1',
    kind: 'DeployGroup',
    metadata: { name, namespace: 'default' },
    spec: { owner: 'team-space', members: [ROCKET, MOON] },
  };
}

/**
 * The Release tab of a deploy group of two members with its latest release
 * in `status`, locked as a group in production and not in staging.
 */
function renderReleaseTab(
  group: Entity,
  authorize: Authorize,
  status: 'running' | 'succeeded',
) {
  const deployGroup = stringifyEntityRef(group);
  const environments: Environment[] = ENVIRONMENTS.map(env => ({
    name: env,
    executor: 'kubernetes',
    requireReason: false,
    locks: [],
  }));
  const groupLock: Lock = {
    id: 'group-lock',
    environment: 'production',
    deployGroup,
    reason: 'Quarterly freeze',
    createdBy: 'user:default/team.lead',
    createdAt: '2025-01-03T09:00:00.000Z',
  };
  server.use(
    http.get(`${BASE_URL}/environments`, () => HttpResponse.json(environments)),
    http.get(`${BASE_URL}/locks`, () => HttpResponse.json([groupLock])),
    http.get(`${BASE_URL}/releases`, () =>
      HttpResponse.json({ items: [makeRelease(deployGroup, status)] }),
    ),
  );
  renderSled(<EntitySledReleaseContent />, {
    entity: group,
    authorize,
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

const release: Requirement = {
  permission: sledReleasePermission,
  on: '<deploy group>',
  resourceRefs: deployGroup => [deployGroup],
};

const groupButtons = (releaseAction: string): ButtonSpec[] => [
  {
    label: 'Release',
    find: pageButton('Release'),
    needs: release,
    deniedReason: 'You may not release this deploy group',
  },
  {
    label: releaseAction,
    find: pageButton(releaseAction),
    needs: release,
    deniedReason: 'You may not release this deploy group',
  },
  {
    label: 'group Lock staging',
    find: pageButton('Lock staging'),
    needs: release,
    deniedReason: 'You may not lock or unlock this deploy group',
  },
  {
    label: 'group Unlock production',
    find: pageButton('Unlock production'),
    needs: release,
    deniedReason: 'You may not lock or unlock this deploy group',
  },
  { label: 'history Show', find: pageButton('Show') },
];

const runningReleaseTab: View = {
  title: 'Release tab, a release running',
  entity: makeDeployGroup,
  render: (entity, authorize) => renderReleaseTab(entity, authorize, 'running'),
  buttons: groupButtons('Cancel release'),
};

const finishedReleaseTab: View = {
  title: 'Release tab, a release finished',
  entity: makeDeployGroup,
  render: (entity, authorize) =>
    renderReleaseTab(entity, authorize, 'succeeded'),
  buttons: groupButtons('Roll back release'),
};

const keyOf = (needs: Requirement) => `${needs.permission.name} on ${needs.on}`;

interface Case {
  title: string;
  /** what is denied; everything else is allowed */
  denied: Array<{
    permission: Permission;
    resourceRefs?: Requirement['resourceRefs'];
  }>;
  /** the key of the requirement whose buttons must be disabled, if any */
  disables?: string;
}

/**
 * One case per distinct requirement of the view's buttons (buttons needing
 * the same permission on the same resource are disabled together), and one
 * denying every permission none of them needs, on every resource.
 */
function casesOf(view: View): Case[] {
  const requirements = new Map<string, Requirement>();
  for (const { needs } of view.buttons) {
    if (needs) requirements.set(keyOf(needs), needs);
  }
  const cases: Case[] = [...requirements].map(([key, needs]) => ({
    title: `without ${key}: ${view.buttons
      .filter(b => b.needs && keyOf(b.needs) === key)
      .map(b => b.label)
      .join(', ')} disabled, the rest enabled`,
    denied: [needs],
    disables: key,
  }));
  const needed = new Set(
    [...requirements.values()].map(r => r.permission.name),
  );
  const unneeded = sledPermissions.filter(p => !needed.has(p.name));
  cases.push({
    title: `without ${unneeded
      .map(p => p.name)
      .join(', ')} (needed by none): every button enabled`,
    denied: unneeded.map(permission => ({ permission })),
  });
  return cases;
}

/**
 * What a person sees of the button: `enabled`, `disabled: <its tooltip>` or
 * `not shown`.
 */
function stateOf(button: ButtonSpec): string {
  let element: HTMLElement;
  try {
    element = button.find();
  } catch {
    return 'not shown';
  }
  if (!(element as HTMLButtonElement).disabled) return 'enabled';
  return `disabled: ${element.parentElement?.getAttribute('title') ?? ''}`;
}

let seq = 0;

describe.each([deployTab, artifactsTab, runningReleaseTab, finishedReleaseTab])(
  'permissions of the $title',
  view => {
    beforeEach(serveServices);

    it.each(casesOf(view).map(c => [c.title, c]))('%s', async (_, testCase) => {
      seq += 1;
      const entity = view.entity(`sled-${seq}`);
      const entityRef = stringifyEntityRef(entity);
      const authorize: Authorize = request => {
        const resourceRef =
          'resourceRef' in request ? request.resourceRef : undefined;
        const denied = testCase.denied.some(
          d =>
            d.permission.name === request.permission.name &&
            (!d.resourceRefs ||
              (resourceRef !== undefined &&
                d.resourceRefs(entityRef).includes(resourceRef))),
        );
        return denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
      };
      view.render(entity, authorize);

      const expected = view.buttons.map(button => ({
        button: button.label,
        state:
          button.needs && keyOf(button.needs) === testCase.disables
            ? `disabled: ${button.deniedReason}`
            : 'enabled',
      }));
      // every button is disabled while the decisions load: wait for them to
      // settle, and on a timeout show the buttons that differ, not the page
      await waitFor(
        () =>
          expect(
            view.buttons.map(button => ({
              button: button.label,
              state: stateOf(button),
            })),
          ).toEqual(expected),
        { onTimeout: error => error },
      );
    });
  },
);

describe('permissions of the Artifacts tab, per environment', () => {
  beforeEach(serveServices);

  it('offers Deploy while one environment allows it, and only that environment', async () => {
    const entity = makeService('sled-staging-denied');
    const entityRef = stringifyEntityRef(entity);
    const user = userEvent.setup();
    renderSled(<EntitySledArtifactsContent />, {
      entity,
      authorize: request =>
        request.permission.name === sledDeployCreatePermission.name &&
        'resourceRef' in request &&
        request.resourceRef ===
          stringifySledTargetRef({ entityRef, environment: 'staging' })
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });

    await waitFor(() => expect(artifactDeployButton('1.4.0')()).toBeEnabled());
    await user.click(artifactDeployButton('1.4.0')());
    // looked up afresh, never kept across an await
    const environment = () =>
      within(screen.getByRole('dialog')).getByRole('button', {
        name: /Environment/,
      });
    await screen.findByRole('dialog');
    // the one permitted environment is preselected
    expect(environment()).toHaveTextContent('production');
    await user.click(environment());
    expect(
      await screen.findByRole('option', { name: /staging \(not permitted\)/ }),
    ).toHaveAttribute('aria-disabled', 'true');
    expect(
      screen.getByRole('option', { name: /production/ }),
    ).not.toHaveAttribute('aria-disabled', 'true');
  });
});
