import { http, HttpResponse } from 'msw';
import {
  ApprovalList,
  Deploy,
  GateReport,
  ServiceState,
} from '@internal/plugin-sled-common';
import { BASE_URL, makeArtifact, makeDeploy } from './fixtures';

/** A Backstage error body, as the sled backend sends it. */
export function errorResponse(status: number, name: string, message: string) {
  return HttpResponse.json(
    { error: { name, message }, response: { statusCode: status } },
    { status },
  );
}

export function streamedText(chunks: string[]) {
  const encoder = new TextEncoder();
  return new HttpResponse(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) {
          controller.enqueue(encoder.encode(chunk));
        }
        controller.close();
      },
    }),
    { headers: { 'Content-Type': 'text/plain' } },
  );
}

/** GET /gates answering `report` (default: every gate passes). */
export function gatesHandler(
  report: (query: URLSearchParams) => GateReport = () => ({
    allowed: true,
    gates: [],
  }),
) {
  return http.get(`${BASE_URL}/gates`, ({ request }) =>
    HttpResponse.json(report(new URL(request.url).searchParams)),
  );
}

/** GET /deploys/:id/approvals answering `list` (default: none needed). */
export function approvalsHandler(
  list: (deployId: string) => ApprovalList = () => ({
    required: 0,
    items: [],
    canDecide: false,
  }),
) {
  return http.get(`${BASE_URL}/deploys/:id/approvals`, ({ params }) =>
    HttpResponse.json(list(String(params.id))),
  );
}

/**
 * GET /artifacts/:id/changes over the fixture artifacts (`artifact-<n>` is
 * version 1.<n>.0), against what `state` says runs in the environment.
 */
export function changesHandler(state: () => ServiceState) {
  return http.get(
    `${BASE_URL}/artifacts/:id/changes`,
    ({ request, params }) => {
      const environment = new URL(request.url).searchParams.get('environment')!;
      const numberOf = (id: string) => Number(id.replace('artifact-', ''));
      const candidate = numberOf(String(params.id));
      const running = state().environments.find(
        e => e.environment === environment,
      )?.current?.artifact;
      const current = running ? numberOf(running.id) : 0;
      const [low, high] =
        candidate > current ? [current, candidate] : [candidate, current];
      const artifacts = [5, 4, 3, 2, 1]
        .filter(n => n > low && n <= high)
        .map(n => makeArtifact(n));
      const direction =
        (!running && 'initial') ||
        (candidate === current && 'same') ||
        (candidate > current ? 'forward' : 'rollback');
      return HttpResponse.json({
        entityRef: 'component:default/rocket',
        environment,
        direction,
        ...(running ? { current: makeArtifact(current) } : {}),
        candidate: makeArtifact(candidate),
        artifacts,
        total: artifacts.length,
        mergeRequests: artifacts.map(a => ({
          ...a.mergeRequest!,
          artifactId: a.id,
          version: a.version,
        })),
        commits: artifacts.map(a => a.commitSha),
      });
    },
  );
}

/**
 * GET /state, GET /artifacts (newest first: 1.5.0 … 1.1.0) and logs; the
 * gates pass and no deploy awaits approval.
 */
export function serviceHandlers(state: () => ServiceState) {
  return [
    gatesHandler(),
    approvalsHandler(),
    changesHandler(state),
    http.get(`${BASE_URL}/deploys`, () => HttpResponse.json({ items: [] })),
    http.get(`${BASE_URL}/state`, () => HttpResponse.json(state())),
    http.get(`${BASE_URL}/artifacts`, () =>
      HttpResponse.json({
        items: [5, 4, 3, 2, 1].map(n => makeArtifact(n)),
      }),
    ),
    http.get(`${BASE_URL}/deploys/:id/logs`, ({ request, params }) =>
      new URL(request.url).searchParams.get('follow') === 'true'
        ? streamedText([
            `[${params.id}] pulling image\n`,
            `[${params.id}] applying manifests\n`,
          ])
        : HttpResponse.text(`[${params.id}] finished\n`),
    ),
  ];
}

/**
 * POST /deploys answers 202 with a queued deploy (plus `deploy`); the
 * returned array receives every request body, in order.
 */
export function acceptDeploys(
  server: { use: (...handlers: any[]) => void },
  deploy: Partial<Deploy> = {},
) {
  const bodies: any[] = [];
  server.use(
    http.post(`${BASE_URL}/deploys`, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json(makeDeploy({ status: 'queued', ...deploy }), {
        status: 202,
      });
    }),
  );
  return bodies;
}
