import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// the real scaffolder and SLeD backends, to run templates against (dev dependencies)
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import sledPlugin from '@internal/plugin-sled-backend';
import sledModuleEchoExecutor from '@internal/plugin-sled-backend-module-echo-executor';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import scaffolderModuleSled from './index';

/**
 * Templates using sled:deploy and sled:release, run by the real scaffolder
 * against the real SLeD backend (its `echo` executor), as a user.
 */

const USER = mockCredentials.user.header();
const CI = mockCredentials.service.header();
const PAYMENTS = 'component:default/payments';
const LEDGER = 'component:default/ledger';
const CHECKOUT = 'deploygroup:default/checkout';

function service(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'sled.dev/deploy-command': './deploy.sh' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    relations: [
      { type: 'ownedBy', targetRef: 'group:default/team-a' },
      { type: 'deployMemberOf', targetRef: CHECKOUT },
    ],
  };
}

const checkout: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: { owner: 'team-a', members: [PAYMENTS, LEDGER] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

function template(name: string, step: JsonObject): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'team-a',
      type: 'service',
      parameters: [
        {
          properties: {
            environment: { type: 'string' },
            version: { type: 'string' },
          },
        },
      ],
      steps: [step],
      output: {
        text: [
          {
            title: 'Outcome',
            content: '${{ steps.sled.output.status }}',
          },
        ],
      },
    },
  };
}

const deployTemplate = template('deploy-payments', {
  id: 'sled',
  name: 'Deploy payments',
  action: 'sled:deploy',
  input: {
    entityRef: PAYMENTS,
    environment: '${{ parameters.environment }}',
    version: '${{ parameters.version }}',
  },
});

const releaseTemplate = template('release-checkout', {
  id: 'sled',
  name: 'Release checkout',
  action: 'sled:release',
  input: {
    deployGroup: CHECKOUT,
    environment: '${{ parameters.environment }}',
  },
});

/** Every permission allowed but those named. */
function permissionsDenying(names: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      async authorize(requests) {
        return requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })) as any;
      },
      async authorizeConditional(requests) {
        return requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })) as any;
      },
    }),
  });
}

describe('scaffolder templates with sled:deploy and sled:release', () => {
  let backend: TestBackend | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  async function start(options: { deny?: string[] } = {}) {
    backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleSled,
        sledPlugin,
        sledModuleEchoExecutor,
        catalogServiceMock.factory({
          entities: [
            service('payments'),
            service('ledger'),
            checkout,
            deployTemplate,
            releaseTemplate,
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            sled: {
              environments: [
                { name: 'sandbox', executor: 'echo' },
                {
                  name: 'broken',
                  executor: 'echo',
                  echo: { outcome: 'failed' },
                },
              ],
            },
          },
        }),
        permissionsDenying(options.deny ?? []),
      ],
    });
    return backend;
  }

  async function register(entityRef: string, version: string) {
    const res = await request(backend!.server)
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef, version, commitSha: 'c0ffee1234abcd' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** Runs a template as the user; resolves once the task ended. */
  async function run(templateName: string, values: JsonObject) {
    const created = await request(backend!.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', USER)
      .send({ templateRef: `template:default/${templateName}`, values });
    expect(created.status).toBe(201);
    const taskId = created.body.id;
    let task: { status: string; output?: JsonObject } = { status: 'open' };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await request(backend!.server)
        .get(`/api/scaffolder/v2/tasks/${taskId}`)
        .set('Authorization', USER);
      task = res.body;
      if (task.status === 'completed' || task.status === 'failed') break;
      if (Date.now() > deadline)
        throw new Error(`task is still ${task.status}`);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const events = await request(backend!.server)
      .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
      .set('Authorization', USER);
    // step log lines, as the task page shows them, without colour and level
    const log: string[] = events.body
      .filter((e: any) => e.type === 'log')
      .map((e: any) =>
        e.body.message
          // eslint-disable-next-line no-control-regex
          .replace(/\u001b\[[0-9;]*m/g, '')
          .replace(/^(info|warn|error): /, ''),
      );
    const completion = events.body.find((e: any) => e.type === 'completion');
    return { task: { ...task, output: completion?.body.output }, log };
  }

  async function deploysOf(entityRef: string) {
    const res = await request(backend!.server)
      .get('/api/sled/deploys')
      .query({ entityRef })
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('a scaffolder template that deploys and waits: the deploy runs as the user, its log streams to the task, and the task completes once it succeeded', async () => {
    await start();
    await register(PAYMENTS, '1.2.3');

    const { task, log } = await run('deploy-payments', {
      environment: 'sandbox',
      version: '1.2.3',
    });

    expect(task.status).toBe('completed');
    expect(task.output).toMatchObject({
      text: [{ title: 'Outcome', content: 'succeeded' }],
    });
    const [deploy] = await deploysOf(PAYMENTS);
    expect(deploy).toMatchObject({
      environment: 'sandbox',
      artifactVersion: '1.2.3',
      status: 'succeeded',
      requestedBy: 'user:default/mock',
    });
    // the deploy's own output, line by line, then its outcome
    expect(log).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `Deploy ${deploy.id}: ${PAYMENTS} 1.2.3 to sandbox`,
        ),
        '$ ./deploy.sh',
        'SLED_ARTIFACT_VERSION=1.2.3',
        'SLED_ENVIRONMENT=sandbox',
        `Deploy ${deploy.id} succeeded: echo: succeeded`,
      ]),
    );
    expect(log.indexOf('SLED_ARTIFACT_VERSION=1.2.3')).toBeLessThan(
      log.indexOf(`Deploy ${deploy.id} succeeded: echo: succeeded`),
    );
  });

  it('fails the step when the deploy fails', async () => {
    await start();
    await register(PAYMENTS, '1.2.3');

    const { task, log } = await run('deploy-payments', {
      environment: 'broken',
      version: '1.2.3',
    });

    expect(task.status).toBe('failed');
    const [deploy] = await deploysOf(PAYMENTS);
    expect(deploy.status).toBe('failed');
    expect(log).toEqual(
      expect.arrayContaining([
        '$ ./deploy.sh',
        expect.stringContaining(
          `Deploy ${deploy.id} of ${PAYMENTS} 1.2.3 to broken failed: echo: failed`,
        ),
      ]),
    );
  });

  it('fails the step with SLeD’s refusal when the user may not deploy, and deploys nothing', async () => {
    await start({ deny: ['sled.deploy.create'] });
    await register(PAYMENTS, '1.2.3');

    const { task, log } = await run('deploy-payments', {
      environment: 'sandbox',
      version: '1.2.3',
    });

    expect(task.status).toBe('failed');
    expect(log.join('\n')).toMatch(/NotAllowedError|not allowed/i);
    expect(await deploysOf(PAYMENTS)).toEqual([]);
  });

  it('fails the step naming the version when it has no artifact', async () => {
    await start();
    await register(PAYMENTS, '1.2.3');

    const { task, log } = await run('deploy-payments', {
      environment: 'sandbox',
      version: '9.9.9',
    });

    expect(task.status).toBe('failed');
    expect(log.join('\n')).toContain(
      `version: ${PAYMENTS} has no artifact 9.9.9 you may read`,
    );
    expect(await deploysOf(PAYMENTS)).toEqual([]);
  });

  it('a scaffolder template that releases a deploy group and waits: every member deploys, their logs stream to the task', async () => {
    await start();
    await register(PAYMENTS, '2.0.0');
    await register(LEDGER, '3.0.0');

    const { task, log } = await run('release-checkout', {
      environment: 'sandbox',
    });

    expect(task.status).toBe('completed');
    expect(task.output).toMatchObject({
      text: [{ title: 'Outcome', content: 'succeeded' }],
    });
    expect(log).toEqual(
      expect.arrayContaining([
        `[${PAYMENTS}] SLED_ARTIFACT_VERSION=2.0.0`,
        `[${LEDGER}] SLED_ARTIFACT_VERSION=3.0.0`,
        expect.stringMatching(
          new RegExp(`^${PAYMENTS} \\(wave \\d, 2.0.0\\): succeeded`),
        ),
        expect.stringMatching(/^Release .* succeeded/),
      ]),
    );
    const [payments] = await deploysOf(PAYMENTS);
    expect(payments).toMatchObject({
      status: 'succeeded',
      requestedBy: 'user:default/mock',
      releaseId: expect.any(String),
    });
  });
});
