import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { ResponseError } from '@backstage/errors';
import { createFetchApi, FetchMiddlewares } from '@backstage/core-app-api';
import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { SledClient } from './SledClient';
import { BASE_URL, makeDeploy } from '../__testUtils__/fixtures';
import { acceptDeploys } from '../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

const client = new SledClient({
  discoveryApi: mockApis.discovery(),
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('SledClient', () => {
  it('lists deploys with filters as query parameters', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE_URL}/deploys`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [makeDeploy()], nextCursor: 'c2' });
      }),
    );
    const page = await client.listDeploys({
      entityRef: 'component:default/rocket',
      environment: 'production',
      status: ['queued', 'running'],
      limit: 20,
      cursor: 'c1',
    });
    expect(page.nextCursor).toBe('c2');
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'production',
      status: 'queued,running',
      limit: '20',
      cursor: 'c1',
    });
  });

  it('posts a deploy as JSON', async () => {
    const bodies = acceptDeploys(server);
    const deploy = await client.createDeploy({
      entityRef: 'component:default/rocket',
      environment: 'staging',
      artifactId: 'artifact-3',
      dryRun: true,
    });
    expect(deploy.status).toBe('queued');
    expect(bodies[0]).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'staging',
      artifactId: 'artifact-3',
      dryRun: true,
    });
  });

  it.each([
    ['adds the token', 'Bearer user-token', true],
    // builds a Request of its own from what it was given, then passes on the
    // original: a Request whose body is used up by then
    ['leaves the request alone', null, false],
  ])(
    'posts through the app’s fetch API whose identity middleware %s',
    async (_, expected, allowed) => {
      const appClient = new SledClient({
        discoveryApi: mockApis.discovery(),
        fetchApi: createFetchApi({
          middleware: [
            FetchMiddlewares.injectIdentityAuth({
              identityApi: mockApis.identity({ token: 'user-token' }),
              allowUrl: () => allowed,
            }),
          ],
        }),
      });
      let authorization: string | null = null;
      const bodies: unknown[] = [];
      server.use(
        http.post(`${BASE_URL}/deploys`, async ({ request }) => {
          authorization = request.headers.get('authorization');
          bodies.push(await request.json());
          return HttpResponse.json(makeDeploy({ status: 'queued' }), {
            status: 202,
          });
        }),
      );
      const deploy = await appClient.createDeploy({
        entityRef: 'component:default/rocket',
        environment: 'staging',
        artifactId: 'artifact-3',
      });
      expect(deploy.status).toBe('queued');
      expect(authorization).toBe(expected);
      expect(bodies).toEqual([
        {
          entityRef: 'component:default/rocket',
          environment: 'staging',
          artifactId: 'artifact-3',
        },
      ]);
    },
  );

  it('throws a ResponseError carrying the backend message', async () => {
    server.use(
      http.post(`${BASE_URL}/rollbacks`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'Nothing to roll back to in production',
            },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    const error = await client
      .createRollback({
        entityRef: 'component:default/rocket',
        environment: 'production',
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe(
      'Nothing to roll back to in production',
    );
  });

  it('asks the gates about an artifact for an environment', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE_URL}/gates`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          allowed: false,
          canOverride: true,
          gates: [
            {
              name: 'promotion',
              passed: false,
              overridable: true,
              message:
                '1.4.2 has soaked 12 of 30 minutes in staging; it may go to production at 14:32 UTC',
              opensAt: '2025-01-03T14:32:00.000Z',
            },
          ],
        });
      }),
    );
    const report = await client.getGates({
      entityRef: 'component:default/rocket',
      environment: 'production',
      artifactId: 'artifact-3',
    });
    expect(report.allowed).toBe(false);
    expect(report.gates[0].message).toMatch(/soaked 12 of 30 minutes/);
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'production',
      artifactId: 'artifact-3',
    });
  });

  it('lists and decides the approvals of a deploy', async () => {
    const decisions: unknown[] = [];
    server.use(
      http.get(`${BASE_URL}/deploys/d1/approvals`, () =>
        HttpResponse.json({
          required: 2,
          items: [
            {
              approver: 'user:default/ann',
              decision: 'approve',
              createdAt: '2025-01-03T10:00:00.000Z',
            },
          ],
          canDecide: true,
        }),
      ),
      http.post(`${BASE_URL}/deploys/d1/approvals`, async ({ request }) => {
        decisions.push(await request.json());
        return HttpResponse.json(makeDeploy({ id: 'd1', status: 'queued' }));
      }),
    );
    const list = await client.listDeployApprovals('d1');
    expect(list.items.map(a => a.approver)).toEqual(['user:default/ann']);
    const deploy = await client.decideDeployApproval('d1', {
      decision: 'approve',
      comment: 'looks good',
    });
    expect(deploy.status).toBe('queued');
    expect(decisions).toEqual([{ decision: 'approve', comment: 'looks good' }]);
  });

  it('resolves DELETE /locks/:id with no content', async () => {
    server.use(
      http.delete(
        `${BASE_URL}/locks/lock-1`,
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    await expect(client.deleteLock('lock-1')).resolves.toBeUndefined();
  });

  it('follows a streamed log chunk by chunk', async () => {
    const encoder = new TextEncoder();
    let follow: string | null = null;
    let firstReceived!: () => void;
    const first = new Promise<void>(resolve => (firstReceived = resolve));
    server.use(
      http.get(`${BASE_URL}/deploys/d1/logs`, ({ request }) => {
        follow = new URL(request.url).searchParams.get('follow');
        const stream = new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('step 1\n'));
            // the second chunk exists only once the first was handed over
            await first;
            controller.enqueue(encoder.encode('step 2\n'));
            controller.close();
          },
        });
        return new HttpResponse(stream, {
          headers: { 'Content-Type': 'text/plain' },
        });
      }),
    );
    const chunks: string[] = [];
    await client.followDeployLogs('d1', chunk => {
      chunks.push(chunk);
      firstReceived();
    });
    expect(follow).toBe('true');
    expect(chunks.join('')).toBe('step 1\nstep 2\n');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('stops following when aborted', async () => {
    server.use(
      http.get(`${BASE_URL}/deploys/d2/logs`, () => {
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('still running\n'));
            // never closes
          },
        });
        return new HttpResponse(stream);
      }),
    );
    const controller = new AbortController();
    const received: string[] = [];
    const following = client.followDeployLogs(
      'd2',
      chunk => {
        received.push(chunk);
        controller.abort();
      },
      controller.signal,
    );
    await expect(following).rejects.toThrow();
    expect(received).toEqual(['still running\n']);
  });
});
