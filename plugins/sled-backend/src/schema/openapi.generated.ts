// Generated from plugins/sled-backend/openapi.yaml by `yarn generate:openapi`: do not edit.
/* eslint-disable */

/** The SLeD REST API's OpenAPI document. */
export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'SLeD for Backstage',
    version: '0.1.0',
    license: {
      name: 'Apache-2.0',
      identifier: 'Apache-2.0',
    },
    contact: {
      name: 'SLeD maintainers',
    },
    description:
      "Service-level deploys. Mounted at `/api/sled` of the Backstage backend;\nthis document is served at `/api/sled/openapi.json`.\nEvery route but `/health` needs a Backstage user or service token (401\notherwise) and passes a permission check (403 when denied). A record the\ncaller may not read answers 404, exactly as a missing one; lists show\nonly what the caller may read. Bodies and queries are validated against\nthis document (400 naming the field, nothing written): unknown keys\n(`__proto__` included), control characters and bidi overrides in text,\nURLs other than https:/http: are refused, and one-line text may not\nstart or end with white space. Query values may hold reserved\ncharacters (`component:default/x`, `queued,running`) unencoded. Bodies\nover 1 MiB get 413 (a limit of the server, not of a schema). Errors use\nBackstage's error body; catalog failures are a 503 that names no\ninternals.\n\nThis document is the single source of the API: the types and the client\nin `@internal/plugin-sled-common` are generated from it\n(`yarn generate:openapi`), and the backend's router is the validated\nOpenAPI router of `@backstage/backend-openapi-utils`, typed from it.\n",
  },
  servers: [
    {
      url: '/',
    },
  ],
  security: [
    {
      backstageToken: [],
    },
  ],
  tags: [
    {
      name: 'artifacts',
      description: 'Deployable builds registered by CI',
    },
    {
      name: 'deploys',
      description: 'Deploys and rollbacks of one service',
    },
    {
      name: 'environments',
      description: 'Configured environments and state',
    },
    {
      name: 'locks',
      description: 'Locks on environments, services and groups',
    },
    {
      name: 'releases',
      description: 'Releases of a deploy group in waves',
    },
    {
      name: 'approvals',
      description: 'Approvals of deploys to environments that require them',
    },
    {
      name: 'gates',
      description: 'Release gates: promotion, windows, checks, approvals',
    },
    {
      name: 'metrics',
      description: 'DORA metrics, computed from the ledger',
    },
    {
      name: 'meta',
      description: 'Liveness and this document',
    },
  ],
  paths: {
    '/health': {
      get: {
        operationId: 'getHealth',
        tags: ['meta'],
        summary: 'Liveness, unauthenticated',
        description: 'Answers 200 while the plugin is up.',
        security: [],
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status'],
                  properties: {
                    status: {
                      type: 'string',
                      enum: ['ok'],
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['meta'],
        summary: 'This document, unauthenticated',
        description:
          'The document with every path under the route the plugin is mounted at (`/api/sled/deploys` …), as Backstage plugins serve theirs.',
        security: [],
        responses: {
          '200': {
            description: 'the OpenAPI document',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                },
              },
            },
          },
        },
      },
    },
    '/artifacts': {
      post: {
        operationId: 'registerArtifact',
        tags: ['artifacts'],
        summary: 'Register an artifact (CI; permission sled.artifact.register)',
        description:
          'Registering the same version with the same content again answers 200 with the existing artifact.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/RegisterArtifactRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'identical replay; the existing artifact',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Artifact',
                },
              },
            },
          },
          '201': {
            description: 'registered',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Artifact',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
      get: {
        operationId: 'listArtifacts',
        tags: ['artifacts'],
        summary:
          'Artifacts, newest first (permission sled.read, filtered in SQL)',
        description: 'A page of artifacts; pass `nextCursor` back as `cursor`.',
        parameters: [
          {
            name: 'entityRef',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'ids',
            in: 'query',
            allowReserved: true,
            description: 'comma-separated artifact ids (1-100)',
            schema: {
              $ref: '#/components/schemas/UuidList',
            },
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'a page',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ArtifactPage',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/artifacts/{id}': {
      get: {
        operationId: 'getArtifact',
        tags: ['artifacts'],
        summary: 'One artifact',
        description: 'The artifact, or 404 when it is missing or not readable.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'the artifact',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Artifact',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/artifacts/{id}/checks': {
      post: {
        operationId: 'recordArtifactCheck',
        tags: ['artifacts'],
        summary:
          "Record a CI check's result for an artifact (CI, permission sled.artifact.register)",
        description: 'The latest result of each check name counts.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ArtifactCheck',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'the artifact with its checks',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Artifact',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/artifacts/{id}/changes': {
      get: {
        operationId: 'getArtifactChanges',
        tags: ['artifacts'],
        summary:
          'What deploying an artifact to an environment changes (permission sled.read on the target)',
        description:
          'The artifacts between what runs in the environment (its latest succeeded deploy, dry runs aside) and this one, with their merge requests and commits. "Between" is by version order, not by when CI registered them: numbers compare as numbers (1.4.10 after 1.4.9), a leading v is ignored, a pre-release (1.5.0-rc.1) comes before its release, and build metadata (+…) counts last; equal versions fall back to registration order. Forward, the list holds the artifacts after the running one up to and including this one; for a rollback (this one is older), the running one and those after this one, that is what is taken back. With `deployId`, the answer is for that past deploy of this artifact: against what ran in the environment before it. 404 when the artifact is missing or its service not readable.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
          {
            name: 'environment',
            in: 'query',
            required: true,
            schema: {
              $ref: '#/components/schemas/EnvironmentName',
            },
          },
          {
            name: 'deployId',
            in: 'query',
            description:
              'a deploy of this artifact to this environment; compare with what ran before it',
            schema: {
              $ref: '#/components/schemas/Uuid',
            },
          },
          {
            $ref: '#/components/parameters/limit',
          },
        ],
        responses: {
          '200': {
            description: 'the changes',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ArtifactChanges',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/environments': {
      get: {
        operationId: 'listEnvironments',
        tags: ['environments'],
        summary: 'Configured environments with their environment-wide locks',
        description: 'Every configured environment, in configuration order.',
        responses: {
          '200': {
            description: 'environments',
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/Environment',
                  },
                },
              },
            },
          },
        },
      },
    },
    '/deploys': {
      post: {
        operationId: 'createDeploy',
        tags: ['deploys'],
        summary:
          'Deploy an artifact (permission sled.deploy.create on the target)',
        description:
          'Queues a deploy; it starts when nothing else runs on the target.',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            description:
              'a retried request with the same key returns the same deploy',
            schema: {
              type: 'string',
              minLength: 1,
              maxLength: 255,
            },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateDeployRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              'skipped (the artifact already runs there) or an idempotent replay',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '202': {
            description:
              'queued (it starts when nothing else runs on the target), or awaiting_approval where the environment requires approvals',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '409': {
            description:
              'the target is locked (the message names the lock), a gate of the environment refused the deploy (promotion, a deploy window or a deploy check: the message names the gate, the target and how to go on; nothing is written), or the Idempotency-Key was used for another request',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
      get: {
        operationId: 'listDeploys',
        tags: ['deploys'],
        summary:
          'Deploys, newest first, keyset-paginated (permission sled.read, filtered in SQL)',
        description: 'A page of deploys; pass `nextCursor` back as `cursor`.',
        parameters: [
          {
            name: 'entityRef',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'environment',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EnvironmentName',
            },
          },
          {
            name: 'status',
            in: 'query',
            allowReserved: true,
            description: 'comma-separated statuses (empty for any)',
            allowEmptyValue: true,
            schema: {
              type: 'string',
              pattern:
                '^,*(?:(?:awaiting_approval|queued|running|succeeded|failed|cancelled|lost|rejected|expired|skipped)(?:,+|$))*$',
              'x-error-message':
                'must be comma-separated statuses: awaiting_approval, queued, running, succeeded, failed, cancelled, lost, rejected, expired, skipped',
            },
          },
          {
            name: 'createdAfter',
            in: 'query',
            allowReserved: true,
            description: 'only deploys created at or after this instant',
            schema: {
              $ref: '#/components/schemas/DateTime',
            },
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'a page',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DeployPage',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/deploys/{id}': {
      get: {
        operationId: 'getDeploy',
        tags: ['deploys'],
        summary: 'One deploy',
        description: 'The deploy, or 404 when it is missing or not readable.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'the deploy',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/deploys/{id}/logs': {
      get: {
        operationId: 'getDeployLogs',
        tags: ['deploys'],
        summary:
          "The deploy's output; with follow=true, streamed until the deploy ends",
        description: 'Plain text, as the deploy wrote it.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
          {
            name: 'follow',
            in: 'query',
            allowReserved: true,
            schema: {
              type: 'string',
              enum: ['true', 'false'],
            },
          },
        ],
        responses: {
          '200': {
            description: 'log text',
            content: {
              'text/plain': {
                schema: {
                  type: 'string',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/deploys/{id}/approvals': {
      get: {
        operationId: 'listDeployApprovals',
        tags: ['approvals'],
        summary: 'The approvals of a deploy, and whether the caller may decide',
        description: 'Who approved or rejected, when, and with what comment.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'approvals',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ApprovalList',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
      post: {
        operationId: 'decideDeployApproval',
        tags: ['approvals'],
        summary:
          "Approve or reject a deploy awaiting approval (permission sled.deploy.approve, and the environment's approvers)",
        description:
          'The n-th distinct approval queues the deploy; a rejection ends it `rejected`. The requester cannot approve their own deploy unless the environment allows it.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ApprovalDecisionRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'the deploy after the decision',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '403': {
            description: 'the caller is not an approver of the deploy',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            description:
              'the deploy is not awaiting approval, or the caller already decided or requested it',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/gates': {
      get: {
        operationId: 'getGates',
        tags: ['gates'],
        summary:
          'Whether a deploy of an artifact to an environment would pass its gates, for the caller',
        description:
          'The same answer POST /deploys would give, gate by gate, without writing anything.',
        parameters: [
          {
            name: 'entityRef',
            in: 'query',
            required: true,
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'environment',
            in: 'query',
            required: true,
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EnvironmentName',
            },
          },
          {
            name: 'artifactId',
            in: 'query',
            required: true,
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/Uuid',
            },
          },
        ],
        responses: {
          '200': {
            description: 'the gates',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/GateReport',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/metrics/dora': {
      get: {
        operationId: 'getDoraMetrics',
        tags: ['metrics'],
        summary:
          'DORA metrics of a service, a deploy group, an owner or everything (permission sled.read, filtered in SQL)',
        description:
          "Deployment frequency, lead time for changes, change failure rate and time to restore over [from, to), and over the window of the same length just before it (the trend). Give at most one of entityRef, deployGroup and owner; none means every service the caller may read. Only deploys the caller may read are counted. A change is a deploy that is neither a dry run nor a rollback and ended succeeded, failed or lost; it failed when it ended failed or lost, was rolled back, or was followed on its target by a rollback within sled.metrics.rollbackWithin. Lead time runs from the merge of the artifact's merge request (`mergeRequest.mergedAt`) to the artifact's first success on the target; time to restore from a failure to the target's next success.",
        parameters: [
          {
            name: 'entityRef',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'deployGroup',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'owner',
            in: 'query',
            allowReserved: true,
            description:
              "the owner's entity ref (a group or a user), as the deploys recorded it",
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'environment',
            in: 'query',
            allowReserved: true,
            description: 'only this environment (default every environment)',
            schema: {
              $ref: '#/components/schemas/EnvironmentName',
            },
          },
          {
            name: 'from',
            in: 'query',
            allowReserved: true,
            description: 'start of the window (default 30 days before `to`)',
            schema: {
              $ref: '#/components/schemas/DateTime',
            },
          },
          {
            name: 'to',
            in: 'query',
            allowReserved: true,
            description:
              'end of the window, excluded (default now); at most 366 days after `from`',
            schema: {
              $ref: '#/components/schemas/DateTime',
            },
          },
        ],
        responses: {
          '200': {
            description: 'the figures of the window and of the one before it',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DoraMetrics',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/deploys/{id}/cancel': {
      post: {
        operationId: 'cancelDeploy',
        tags: ['deploys'],
        summary:
          'Cancel a queued or running deploy (permission sled.deploy.cancel)',
        description: 'A queued deploy never starts; a running one is stopped.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'the deploy, cancelled or being cancelled',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            description: 'it already ended',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/rollbacks': {
      post: {
        operationId: 'createRollback',
        tags: ['deploys'],
        summary:
          'Deploy the last artifact that succeeded on the target before the current one',
        description: 'Queues a deploy of the rollback target.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateRollbackRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'queued',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deploy',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '409': {
            description:
              'nothing to roll back to, the target is locked, or a deploy check of the environment refused the deploy (the message names the check)',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/state': {
      get: {
        operationId: 'getServiceState',
        tags: ['environments'],
        summary:
          'Per environment, what runs for a service, its last deploy and lock',
        description:
          'Only the environments where the caller may read the service.',
        parameters: [
          {
            name: 'entityRef',
            in: 'query',
            allowReserved: true,
            required: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
        ],
        responses: {
          '200': {
            description: 'state',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ServiceState',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/deployments': {
      get: {
        operationId: 'getDeployments',
        tags: ['environments'],
        summary:
          'The deployments matrix: every deployable service × every environment, what runs there',
        description:
          'For each deployable service of the catalog, the version that runs in each environment (its last successful, non-dry-run deploy), whether that differs from the environment before it in the promotion path (drift), deploys awaiting approval or in progress, and the lock in force. Only the services and environments the caller may read (sled.read); a service the caller may read in no environment is left out. The filters narrow the services; `facets` lists the values they may take.',
        parameters: [
          {
            name: 'owner',
            in: 'query',
            allowReserved: true,
            description:
              'only services owned by this group or user (entity ref)',
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'system',
            in: 'query',
            allowReserved: true,
            description: 'only services of this system (entity ref)',
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'deployGroup',
            in: 'query',
            allowReserved: true,
            description: 'only members of this deploy group (entity ref)',
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
        ],
        responses: {
          '200': {
            description: 'the matrix',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DeploymentMatrix',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/locks': {
      post: {
        operationId: 'createLock',
        tags: ['locks'],
        summary:
          'Lock an environment, one service in it (permission sled.lock), or every member of a deploy group in it (permission sled.release on the group)',
        description:
          'A lock stops new deploys to what it locks until it is removed or expires.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateLockRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'the lock',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Lock',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
      get: {
        operationId: 'listLocks',
        tags: ['locks'],
        summary:
          "Locks in force; with entityRef or deployGroup, those that apply to it (its own, its group's, environment-wide)",
        description: 'Only the locks the caller may read.',
        parameters: [
          {
            name: 'environment',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EnvironmentName',
            },
          },
          {
            name: 'entityRef',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'deployGroup',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
        ],
        responses: {
          '200': {
            description: 'locks',
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/Lock',
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/locks/{id}': {
      delete: {
        operationId: 'deleteLock',
        tags: ['locks'],
        summary:
          'Remove a lock (permission sled.lock; sled.release on the group for a deploy-group lock)',
        description: 'Deploys to what it locked may start again.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '204': {
            description: 'removed',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/releases': {
      post: {
        operationId: 'createRelease',
        tags: ['releases'],
        summary:
          'Release a deploy group to an environment (permission sled.release on the group, and deploy permission on every member)',
        description:
          "Deploys the group's members in waves, in dependency order.",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateReleaseRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'the release, running in waves',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Release',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '409': {
            description:
              "a member is locked, or a deploy check of the environment refused a member's deploy (the message names the check); nothing is written",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
      get: {
        operationId: 'listReleases',
        tags: ['releases'],
        summary: 'Releases, newest first',
        description: 'The newest releases, of one deploy group if asked.',
        parameters: [
          {
            name: 'deployGroup',
            in: 'query',
            allowReserved: true,
            schema: {
              $ref: '#/components/schemas/EntityRef',
            },
          },
          {
            name: 'limit',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 200,
              default: 20,
            },
          },
        ],
        responses: {
          '200': {
            description: 'releases',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ReleaseList',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
        },
      },
    },
    '/releases/{id}': {
      get: {
        operationId: 'getRelease',
        tags: ['releases'],
        summary: "One release with its members' deploys",
        description: 'Only the members the caller may read; 404 when none.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'the release',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Release',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/releases/{id}/cancel': {
      post: {
        operationId: 'cancelRelease',
        tags: ['releases'],
        summary: 'Cancel what has not finished',
        description:
          'Needs sled.release on the group, and sled.deploy.cancel on every member deploy still queued or running; 403 naming the members otherwise, nothing cancelled.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'the release',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Release',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/releases/{id}/approvals': {
      get: {
        operationId: 'listReleaseApprovals',
        tags: ['approvals'],
        summary:
          'The approvals of a release, and whether the caller may decide',
        description:
          'A release into an environment that requires approvals asks for them once, for the whole release (status `awaiting_approval`); its member deploys then run without asking again and show these decisions.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'approvals',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ApprovalList',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
      post: {
        operationId: 'decideReleaseApproval',
        tags: ['approvals'],
        summary:
          "Approve or reject a release awaiting approval (sled.deploy.approve on every member, and the environment's approvers)",
        description:
          "The n-th distinct approval starts the release; a rejection ends it `rejected`. `owners` among the environment's approvers means the deploy group's owner. The requester cannot approve their own release unless the environment allows it.",
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ApprovalDecisionRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'the release after the decision',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Release',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '403': {
            description: 'the caller is not an approver of the release',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            description:
              'the release is not awaiting approval, or the caller already decided or requested it',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/releases/{id}/rollback': {
      post: {
        operationId: 'rollbackRelease',
        tags: ['releases'],
        summary:
          "Release the artifacts of the group's previous successful release again",
        description: 'A new release whose `rollbackOf` names this one.',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/RollbackReleaseRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'the new release',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Release',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Invalid',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      backstageToken: {
        type: 'http',
        scheme: 'bearer',
      },
    },
    parameters: {
      id: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          $ref: '#/components/schemas/Uuid',
        },
      },
      limit: {
        name: 'limit',
        in: 'query',
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: 500,
          default: 50,
        },
      },
      cursor: {
        name: 'cursor',
        in: 'query',
        allowReserved: true,
        description:
          'nextCursor of the previous page (empty for the first page)',
        allowEmptyValue: true,
        schema: {
          type: 'string',
          maxLength: 64,
        },
      },
    },
    responses: {
      Invalid: {
        description: 'invalid input; the message names the field',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      NotFound: {
        description: 'not found',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Conflict: {
        description: 'same version registered with different content',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      EntityRef: {
        description:
          'an entity ref (kind:namespace/name, kind:name or name); one line of text',
        type: 'string',
        maxLength: 255,
        pattern:
          '^[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff](?:[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff])?$',
        'x-error-message':
          'must not contain control characters or bidi overrides, be blank, or start or end with white space',
      },
      EnvironmentName: {
        description: 'the name of a configured environment; one line of text',
        type: 'string',
        maxLength: 64,
        pattern:
          '^[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff](?:[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff])?$',
        'x-error-message':
          'must not contain control characters or bidi overrides, be blank, or start or end with white space',
      },
      LineText: {
        description: 'one line of text, not blank',
        type: 'string',
        maxLength: 512,
        pattern:
          '^[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff](?:[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff])?$',
        'x-error-message':
          'must not contain control characters or bidi overrides, be blank, or start or end with white space',
      },
      Reason: {
        description:
          'free text; tabs and line breaks, no other control characters',
        type: 'string',
        maxLength: 2000,
        pattern:
          '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*$',
        'x-error-message':
          'must not contain control characters or bidi overrides',
      },
      WebUrl: {
        description: 'an https or http URL with a host',
        type: 'string',
        format: 'uri',
        maxLength: 2048,
        pattern:
          '^[Hh][Tt][Tt][Pp][Ss]?:[/\\\\]*[^\\s/\\\\?#\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]+(?:[/?#\\\\][^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*)?$',
        'x-error-message': 'must be an https: or http: URL',
      },
      Uuid: {
        description: 'a UUID (RFC 9562 variant, versions 1-8, or nil/max)',
        type: 'string',
        format: 'uuid',
        pattern:
          '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$',
        'x-error-message': 'must be a UUID',
      },
      UuidList: {
        description: '1 to 100 comma-separated UUIDs',
        type: 'string',
        pattern:
          '^,*(?:(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)(?:,+|$)){1,100}$',
        'x-error-message': 'must be 1 to 100 comma-separated UUIDs',
      },
      DateTime: {
        description:
          'an ISO 8601 date-time with seconds, and Z or a numeric offset (+hh:mm)',
        type: 'string',
        format: 'date-time',
        pattern:
          '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$',
        'x-error-message':
          'must be an ISO 8601 date-time with seconds and Z or an offset such as +02:00',
      },
      DeployStatus: {
        description:
          "`awaiting_approval` until the environment's required approvals are given (then `queued`), `rejected` when an approver rejected it, `expired` when its approvals did not come in time; `skipped` means the artifact was already what runs there; `lost` that the deploy's Job vanished before its outcome was recorded (unknown)",
        type: 'string',
        enum: [
          'awaiting_approval',
          'queued',
          'running',
          'succeeded',
          'failed',
          'cancelled',
          'lost',
          'rejected',
          'expired',
          'skipped',
        ],
      },
      ExecutorKind: {
        description:
          "the kind of executor that runs an environment's deploys: the built-in `local` and `kubernetes`, or one a backend module registers",
        type: 'string',
        maxLength: 31,
        pattern: '^[a-z][a-z0-9-]*$',
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
          },
        },
      },
      MergeRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['url', 'title'],
        properties: {
          url: {
            $ref: '#/components/schemas/WebUrl',
          },
          title: {
            $ref: '#/components/schemas/LineText',
          },
          mergedAt: {
            $ref: '#/components/schemas/DateTime',
          },
        },
      },
      ArtifactDeploySpec: {
        type: 'object',
        additionalProperties: false,
        description:
          'What an artifact may say about how it is deployed. The command always comes from the catalog entity (`sled.dev/deploy-command`); an artifact naming one is refused (400 naming `deploy.command`). The image must be pinned by digest and match sled.kubernetes.allowedImages (checked by the server), else 400.',
        properties: {
          image: {
            $ref: '#/components/schemas/LineText',
            description:
              'deployer container image (Kubernetes executor), pinned by digest',
          },
          command: {
            description:
              'never allowed (what runs comes from the catalog entity)',
            not: {},
            'x-error-message':
              'an artifact cannot choose what runs: the deploy command comes from the sled.dev/deploy-command annotation of the catalog entity',
          },
        },
      },
      RegisterArtifactRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['entityRef', 'version', 'commitSha'],
        properties: {
          entityRef: {
            $ref: '#/components/schemas/EntityRef',
          },
          version: {
            type: 'string',
            description: 'letters, digits and . _ + - (at most 128)',
            pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$',
            'x-error-message':
              'must be letters, digits and . _ + - (at most 128), starting with a letter or digit',
          },
          image: {
            $ref: '#/components/schemas/LineText',
          },
          commitSha: {
            type: 'string',
            description: 'a hex commit SHA',
            pattern: '^[0-9a-f]{7,64}$',
            'x-error-message':
              'must be a hex commit SHA (7 to 64 lower-case hex digits)',
          },
          mergeRequest: {
            $ref: '#/components/schemas/MergeRequest',
          },
          buildUrl: {
            $ref: '#/components/schemas/WebUrl',
          },
          deploy: {
            $ref: '#/components/schemas/ArtifactDeploySpec',
          },
          checks: {
            type: 'array',
            maxItems: 50,
            description:
              'CI checks of this build; more can be recorded later (POST /artifacts/{id}/checks)',
            items: {
              $ref: '#/components/schemas/ArtifactCheck',
            },
          },
        },
      },
      CreateDeployRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['entityRef', 'environment', 'artifactId'],
        properties: {
          entityRef: {
            $ref: '#/components/schemas/EntityRef',
          },
          environment: {
            $ref: '#/components/schemas/EnvironmentName',
          },
          artifactId: {
            $ref: '#/components/schemas/Uuid',
          },
          dryRun: {
            type: 'boolean',
          },
          force: {
            type: 'boolean',
            description: 'deploy even when the artifact already runs there',
          },
          reason: {
            $ref: '#/components/schemas/Reason',
            description: 'required where the environment says so',
          },
          overrideGates: {
            type: 'boolean',
            description:
              'deploy past a promotion soak, a deploy window or a failed deploy check (permission sled.gate.override on the target, a reason required, audited at high severity); approvals are never overridden',
          },
        },
      },
      ApprovalDecisionRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['decision'],
        properties: {
          decision: {
            type: 'string',
            enum: ['approve', 'reject'],
          },
          comment: {
            $ref: '#/components/schemas/Reason',
          },
        },
      },
      ArtifactCheck: {
        type: 'object',
        additionalProperties: false,
        description:
          'the result of one CI check of an artifact (the ci-status deploy check reads them)',
        required: ['name', 'status'],
        properties: {
          name: {
            type: 'string',
            description: 'lower-case letters, digits and . _ - (at most 64)',
            pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
            'x-error-message':
              'must be lower-case letters, digits and . _ - (at most 64), starting with a letter or digit',
          },
          status: {
            type: 'string',
            enum: ['passed', 'failed', 'pending'],
          },
          url: {
            $ref: '#/components/schemas/WebUrl',
          },
        },
      },
      CreateRollbackRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['entityRef', 'environment'],
        properties: {
          entityRef: {
            $ref: '#/components/schemas/EntityRef',
          },
          environment: {
            $ref: '#/components/schemas/EnvironmentName',
          },
          reason: {
            $ref: '#/components/schemas/Reason',
          },
        },
      },
      CreateLockRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['environment', 'reason'],
        description:
          'lock one service (entityRef) or a deploy group (deployGroup), not both',
        not: {
          required: ['entityRef', 'deployGroup'],
        },
        'x-error-message':
          'lock either one service (entityRef) or a deploy group (deployGroup), not both',
        properties: {
          environment: {
            $ref: '#/components/schemas/EnvironmentName',
          },
          entityRef: {
            $ref: '#/components/schemas/EntityRef',
            description: 'lock only this service (not with deployGroup)',
          },
          deployGroup: {
            $ref: '#/components/schemas/EntityRef',
            description:
              'DeployGroup entity ref: lock every member (not with entityRef)',
          },
          reason: {
            type: 'string',
            maxLength: 2000,
            pattern:
              '^(?=[\\s\\S]*\\S)[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]*$',
            'x-error-message':
              'must not be empty or contain control characters or bidi overrides',
          },
          expiresAt: {
            $ref: '#/components/schemas/DateTime',
            description: 'must be in the future (checked by the server)',
          },
        },
      },
      CreateReleaseRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['deployGroup', 'environment'],
        properties: {
          deployGroup: {
            $ref: '#/components/schemas/EntityRef',
            description: 'DeployGroup entity ref',
          },
          environment: {
            $ref: '#/components/schemas/EnvironmentName',
          },
          artifacts: {
            type: 'object',
            description:
              'entity ref → artifact id; members not listed get their newest artifact, and those with none yet are left out (400 when no member has one)',
            propertyNames: {
              $ref: '#/components/schemas/EntityRef',
            },
            patternProperties: {
              '^(?!(?:__proto__|constructor|prototype)$)': {
                $ref: '#/components/schemas/Uuid',
              },
            },
            additionalProperties: false,
            'x-error-message': 'not a member entity ref',
          },
          dryRun: {
            type: 'boolean',
          },
          reason: {
            $ref: '#/components/schemas/Reason',
          },
        },
      },
      RollbackReleaseRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          reason: {
            $ref: '#/components/schemas/Reason',
          },
        },
      },
      Artifact: {
        type: 'object',
        description: 'An immutable, deployable build of one service.',
        required: ['id', 'entityRef', 'version', 'commitSha', 'createdAt'],
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
          },
          entityRef: {
            type: 'string',
          },
          ownerRef: {
            type: 'string',
            description: "the service's owner when the artifact was registered",
          },
          version: {
            type: 'string',
          },
          image: {
            type: 'string',
          },
          commitSha: {
            type: 'string',
          },
          mergeRequest: {
            $ref: '#/components/schemas/MergeRequest',
          },
          buildUrl: {
            type: 'string',
          },
          deploy: {
            $ref: '#/components/schemas/ArtifactDeploySpec',
          },
          checks: {
            type: 'array',
            description:
              'CI checks recorded for this build, the latest result of each name',
            items: {
              $ref: '#/components/schemas/ArtifactCheck',
            },
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ArtifactSummary: {
        type: 'object',
        description: 'an artifact, as a change list shows it',
        required: ['id', 'version', 'commitSha', 'createdAt'],
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
          },
          version: {
            type: 'string',
          },
          commitSha: {
            type: 'string',
          },
          mergeRequest: {
            $ref: '#/components/schemas/MergeRequest',
          },
          buildUrl: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ChangedMergeRequest: {
        type: 'object',
        description:
          'a merge request an artifact of a change list was built from',
        required: ['url', 'title', 'artifactId', 'version'],
        properties: {
          url: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          mergedAt: {
            type: 'string',
            format: 'date-time',
          },
          artifactId: {
            type: 'string',
            format: 'uuid',
            description: 'the artifact (of `artifacts`) built from it',
          },
          version: {
            type: 'string',
          },
        },
      },
      ArtifactChanges: {
        type: 'object',
        description:
          'What deploying an artifact to an environment changes, in version order.',
        required: [
          'entityRef',
          'environment',
          'direction',
          'candidate',
          'artifacts',
          'total',
          'mergeRequests',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          direction: {
            type: 'string',
            enum: ['forward', 'rollback', 'same', 'initial'],
            description:
              'forward: the candidate is a later version than what runs; rollback: an earlier one (the artifacts are taken back); same: it runs already; initial: nothing ran there yet (the artifacts are every version up to the candidate)',
          },
          current: {
            $ref: '#/components/schemas/ArtifactSummary',
            description:
              'what runs in the environment (with deployId, what ran before that deploy)',
          },
          candidate: {
            $ref: '#/components/schemas/ArtifactSummary',
          },
          artifacts: {
            type: 'array',
            description:
              'the artifacts between, latest version first, at most `limit`: forward (and initial) up to and including the candidate; for a rollback, those taken back, the running one included',
            items: {
              $ref: '#/components/schemas/ArtifactSummary',
            },
          },
          total: {
            type: 'integer',
            description:
              'how many artifacts are between (more than listed when over `limit`)',
          },
          mergeRequests: {
            type: 'array',
            description:
              'the merge requests of `artifacts`, once each, in their order',
            items: {
              $ref: '#/components/schemas/ChangedMergeRequest',
            },
          },
          commits: {
            type: 'array',
            description:
              'the commits of `artifacts`, in their order (the commit each was built from)',
            items: {
              type: 'string',
            },
          },
        },
      },
      ArtifactPage: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Artifact',
            },
          },
          nextCursor: {
            type: 'string',
          },
        },
      },
      Lock: {
        type: 'object',
        description:
          'A lock on an environment, or on one service or deploy group in it.',
        required: ['id', 'environment', 'reason', 'createdBy', 'createdAt'],
        properties: {
          id: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
            description:
              'when set, only this service is locked in the environment',
          },
          deployGroup: {
            type: 'string',
            description:
              'when set, every member of this deploy group is locked in the environment',
          },
          reason: {
            type: 'string',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          expiresAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      Environment: {
        type: 'object',
        required: ['name', 'executor', 'requireReason', 'locks'],
        properties: {
          name: {
            type: 'string',
          },
          executor: {
            $ref: '#/components/schemas/ExecutorKind',
          },
          cluster: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          requireReason: {
            type: 'boolean',
          },
          checks: {
            type: 'array',
            description: 'the deploy checks a deploy to it must pass, by name',
            items: {
              type: 'string',
            },
          },
          gates: {
            $ref: '#/components/schemas/EnvironmentGates',
          },
          window: {
            $ref: '#/components/schemas/WindowState',
          },
          locks: {
            type: 'array',
            description: 'environment-wide locks in force',
            items: {
              $ref: '#/components/schemas/Lock',
            },
          },
        },
      },
      EnvironmentGates: {
        type: 'object',
        description:
          'the release gates of an environment (sled.environments[])',
        properties: {
          promotion: {
            type: 'object',
            required: ['from', 'soakMinutes'],
            description:
              'an artifact must have succeeded in `from` at least soakMinutes ago, and still run there (or have been replaced only by newer successes)',
            properties: {
              from: {
                type: 'string',
              },
              soakMinutes: {
                type: 'number',
              },
            },
          },
          approvals: {
            type: 'object',
            required: [
              'required',
              'approvers',
              'allowSelfApproval',
              'expiresAfterMinutes',
            ],
            properties: {
              required: {
                type: 'integer',
                description: 'distinct approvers needed',
              },
              approvers: {
                type: 'array',
                description:
                  "'owners' (the service's owning group) and entity refs of groups or users; empty: anyone with sled.deploy.approve",
                items: {
                  type: 'string',
                },
              },
              allowSelfApproval: {
                type: 'boolean',
              },
              expiresAfterMinutes: {
                type: 'number',
              },
            },
          },
          windows: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DeployWindow',
            },
          },
        },
      },
      DeployWindow: {
        type: 'object',
        required: ['kind', 'schedule', 'durationMinutes', 'timezone'],
        properties: {
          kind: {
            type: 'string',
            enum: ['allow', 'deny'],
          },
          schedule: {
            type: 'string',
            description: 'a cron expression: when the window opens',
          },
          durationMinutes: {
            type: 'number',
          },
          timezone: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
        },
      },
      WindowState: {
        type: 'object',
        description:
          "whether the environment's deploy windows let deploys start now",
        required: ['open', 'message'],
        properties: {
          open: {
            type: 'boolean',
          },
          message: {
            type: 'string',
            description:
              'e.g. "Frozen until Mon 08:00 — weekend freeze" or "Deploys allowed 08:00–18:00"',
          },
          changesAt: {
            type: 'string',
            format: 'date-time',
            description:
              'when this changes (a freeze ends, an allow window closes or opens)',
          },
        },
      },
      Gate: {
        type: 'object',
        required: ['name', 'passed', 'message', 'overridable'],
        properties: {
          name: {
            type: 'string',
            description: 'promotion, window, check:<name> or approvals',
          },
          passed: {
            type: 'boolean',
          },
          message: {
            type: 'string',
          },
          opensAt: {
            type: 'string',
            format: 'date-time',
            description:
              'when the gate will pass on its own (a soak ends, a window opens)',
          },
          overridable: {
            type: 'boolean',
            description: 'sled.gate.override may pass it (never approvals)',
          },
        },
      },
      DoraDuration: {
        type: 'object',
        required: ['count'],
        properties: {
          count: {
            type: 'integer',
            description: 'how many durations were measured',
          },
          medianSeconds: {
            type: 'number',
          },
          meanSeconds: {
            type: 'number',
          },
        },
      },
      DoraFigures: {
        type: 'object',
        required: [
          'from',
          'to',
          'deployments',
          'deploymentsPerDay',
          'changes',
          'failures',
          'leadTime',
          'timeToRestore',
        ],
        properties: {
          from: {
            type: 'string',
            format: 'date-time',
          },
          to: {
            type: 'string',
            format: 'date-time',
          },
          deployments: {
            type: 'integer',
            description: 'changes that succeeded (deployment frequency)',
          },
          deploymentsPerDay: {
            type: 'number',
          },
          changes: {
            type: 'integer',
            description:
              'deploys that ended succeeded, failed or lost, neither dry runs nor rollbacks',
          },
          failures: {
            type: 'integer',
            description: 'changes that failed, were lost or were rolled back',
          },
          changeFailureRate: {
            type: 'number',
            description: 'failures / changes; absent without changes',
          },
          leadTime: {
            $ref: '#/components/schemas/DoraDuration',
            description:
              "merge of the artifact's merge request to its first success on the target",
          },
          timeToRestore: {
            $ref: '#/components/schemas/DoraDuration',
            description:
              "a failure to the target's next success (count = failures restored)",
          },
        },
      },
      DoraMetrics: {
        type: 'object',
        required: ['rollbackWithinSeconds', 'current', 'previous'],
        properties: {
          entityRef: {
            type: 'string',
          },
          deployGroup: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          rollbackWithinSeconds: {
            type: 'integer',
            description:
              'a success followed by a rollback this soon counts as failed (sled.metrics.rollbackWithin)',
          },
          current: {
            $ref: '#/components/schemas/DoraFigures',
          },
          previous: {
            $ref: '#/components/schemas/DoraFigures',
            description: 'the window of the same length just before `current`',
          },
        },
      },
      GateReport: {
        type: 'object',
        required: ['allowed', 'gates'],
        properties: {
          allowed: {
            type: 'boolean',
            description:
              'a deploy of this artifact may be requested now by the caller (it may then wait for approvals)',
          },
          canOverride: {
            type: 'boolean',
            description:
              'the caller may override the gates that refuse (sled.gate.override)',
          },
          gates: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Gate',
            },
          },
        },
      },
      Approval: {
        type: 'object',
        required: ['approver', 'decision', 'createdAt'],
        properties: {
          approver: {
            type: 'string',
          },
          decision: {
            type: 'string',
            enum: ['approve', 'reject'],
          },
          comment: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ApprovalList: {
        type: 'object',
        required: ['required', 'items', 'canDecide'],
        properties: {
          required: {
            type: 'integer',
            description: 'distinct approvals the deploy needs',
          },
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Approval',
            },
          },
          expiresAt: {
            type: 'string',
            format: 'date-time',
          },
          canDecide: {
            type: 'boolean',
            description: 'the caller may approve or reject it now',
          },
          refusal: {
            type: 'string',
            description: 'why the caller may not decide, when they may not',
          },
        },
      },
      DeployExecution: {
        type: 'object',
        description: 'Where and how a deploy ran, as recorded by its executor.',
        required: ['executor'],
        properties: {
          executor: {
            $ref: '#/components/schemas/ExecutorKind',
          },
          handle: {
            type: 'string',
            description:
              'local: the process id; kubernetes: cluster/namespace/job',
          },
          cluster: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          jobName: {
            type: 'string',
          },
        },
      },
      Deploy: {
        type: 'object',
        required: [
          'id',
          'entityRef',
          'environment',
          'artifactId',
          'artifactVersion',
          'status',
          'dryRun',
          'force',
          'requestedBy',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
          },
          entityRef: {
            type: 'string',
          },
          ownerRef: {
            type: 'string',
            description: "the service's owner when the deploy was requested",
          },
          environment: {
            type: 'string',
          },
          artifactId: {
            type: 'string',
          },
          artifactVersion: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/DeployStatus',
          },
          dryRun: {
            type: 'boolean',
          },
          force: {
            type: 'boolean',
          },
          requestedBy: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          rollbackOf: {
            type: 'string',
          },
          releaseId: {
            type: 'string',
          },
          message: {
            type: 'string',
            description:
              'human-readable outcome, e.g. why it failed or was skipped',
          },
          exitCode: {
            type: 'integer',
          },
          gatesOverridden: {
            type: 'boolean',
            description:
              'requested past a refusing gate with sled.gate.override',
          },
          approvalExpiresAt: {
            type: 'string',
            format: 'date-time',
            description: 'while awaiting approval, when it expires',
          },
          execution: {
            $ref: '#/components/schemas/DeployExecution',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          startedAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      DeployPage: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Deploy',
            },
          },
          nextCursor: {
            type: 'string',
          },
        },
      },
      EnvironmentState: {
        type: 'object',
        description: 'What runs in one environment for one service.',
        required: ['environment', 'executor', 'requireReason'],
        properties: {
          environment: {
            type: 'string',
          },
          executor: {
            $ref: '#/components/schemas/ExecutorKind',
          },
          requireReason: {
            type: 'boolean',
          },
          current: {
            type: 'object',
            description:
              'the artifact of the last successful, non-dry-run deploy',
            required: ['artifact', 'deploy'],
            properties: {
              artifact: {
                $ref: '#/components/schemas/Artifact',
              },
              deploy: {
                $ref: '#/components/schemas/Deploy',
              },
            },
          },
          rollbackTarget: {
            $ref: '#/components/schemas/Artifact',
            description: 'what a rollback would deploy',
          },
          lastDeploy: {
            $ref: '#/components/schemas/Deploy',
            description: 'the most recent deploy of any status',
          },
          lock: {
            $ref: '#/components/schemas/Lock',
            description:
              'the lock in force for this service in this environment',
          },
          gates: {
            $ref: '#/components/schemas/EnvironmentGates',
          },
          window: {
            $ref: '#/components/schemas/WindowState',
          },
        },
      },
      ServiceState: {
        type: 'object',
        required: ['entityRef', 'environments'],
        properties: {
          entityRef: {
            type: 'string',
          },
          environments: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/EnvironmentState',
            },
          },
        },
      },
      DeploymentEnvironment: {
        type: 'object',
        description: 'a column of the deployments matrix',
        required: ['name', 'pendingApprovals', 'locks'],
        properties: {
          name: {
            type: 'string',
          },
          promotionFrom: {
            type: 'string',
            description:
              "the environment before it in the promotion path (its promotion gate's `from`, else the one before it in configuration order); drift is measured against it",
          },
          window: {
            $ref: '#/components/schemas/WindowState',
          },
          pendingApprovals: {
            type: 'integer',
            description:
              'deploys to it awaiting approval, of the services shown',
          },
          locks: {
            type: 'array',
            description: 'environment-wide locks in force',
            items: {
              $ref: '#/components/schemas/Lock',
            },
          },
        },
      },
      DeploymentCell: {
        type: 'object',
        description: 'what runs for one service in one environment',
        required: ['environment', 'drift', 'pendingApprovals', 'deploying'],
        properties: {
          environment: {
            type: 'string',
          },
          current: {
            type: 'object',
            description: 'the last successful, non-dry-run deploy',
            required: ['deployId', 'artifactId', 'version'],
            properties: {
              deployId: {
                type: 'string',
              },
              artifactId: {
                type: 'string',
              },
              version: {
                type: 'string',
              },
              deployedAt: {
                type: 'string',
                format: 'date-time',
              },
            },
          },
          drift: {
            type: 'boolean',
            description:
              'the version differs from the one in `promotionFrom` (one of them runs nothing, or another version)',
          },
          pendingApprovals: {
            type: 'integer',
            description: 'deploys awaiting approval',
          },
          deploying: {
            type: 'boolean',
            description: 'a deploy is queued or running',
          },
          lock: {
            $ref: '#/components/schemas/Lock',
            description:
              "the lock in force (the service's own, its group's or the environment's)",
          },
        },
      },
      DeploymentRow: {
        type: 'object',
        required: ['entityRef', 'environments'],
        properties: {
          entityRef: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          ownerRef: {
            type: 'string',
          },
          system: {
            type: 'string',
          },
          deployGroup: {
            type: 'string',
          },
          environments: {
            type: 'array',
            description:
              'the environments the caller may read it in, in the order of `environments`',
            items: {
              $ref: '#/components/schemas/DeploymentCell',
            },
          },
        },
      },
      DeploymentMatrix: {
        type: 'object',
        required: ['environments', 'services', 'facets'],
        properties: {
          environments: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DeploymentEnvironment',
            },
          },
          services: {
            type: 'array',
            description: 'by entity ref',
            items: {
              $ref: '#/components/schemas/DeploymentRow',
            },
          },
          facets: {
            type: 'object',
            description:
              'the owners, systems and deploy groups of the services the caller may read, whatever the filters',
            required: ['owners', 'systems', 'deployGroups'],
            properties: {
              owners: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
              systems: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
              deployGroups: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
        },
      },
      ReleaseStatus: {
        description:
          '`running` until every member ended or the release was stopped; `awaiting_approval` first when its environment requires approvals (then `running`, or `rejected` / `expired`)',
        type: 'string',
        enum: [
          'awaiting_approval',
          'running',
          'succeeded',
          'failed',
          'cancelled',
          'rejected',
          'expired',
        ],
      },
      ReleaseMemberStatus: {
        description:
          "a deploy status; `pending` until the member's deploy is created, `not-started` when the release stopped before the member's wave",
        type: 'string',
        enum: [
          'awaiting_approval',
          'queued',
          'running',
          'succeeded',
          'failed',
          'cancelled',
          'lost',
          'rejected',
          'expired',
          'skipped',
          'pending',
          'not-started',
        ],
      },
      ReleaseMember: {
        type: 'object',
        required: [
          'entityRef',
          'wave',
          'artifactId',
          'artifactVersion',
          'status',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          wave: {
            type: 'integer',
            description: '0-based wave',
          },
          artifactId: {
            type: 'string',
          },
          artifactVersion: {
            type: 'string',
          },
          deployId: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/ReleaseMemberStatus',
          },
          message: {
            type: 'string',
          },
        },
      },
      Release: {
        type: 'object',
        required: [
          'id',
          'deployGroup',
          'environment',
          'status',
          'dryRun',
          'requestedBy',
          'members',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          deployGroup: {
            type: 'string',
            description: 'the DeployGroup entity ref',
          },
          environment: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/ReleaseStatus',
          },
          dryRun: {
            type: 'boolean',
          },
          requestedBy: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          rollbackOf: {
            type: 'string',
            description: 'the release this one rolls back',
          },
          message: {
            type: 'string',
          },
          approvalExpiresAt: {
            type: 'string',
            format: 'date-time',
            description: 'while awaiting approval, when it expires',
          },
          members: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ReleaseMember',
            },
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ReleaseList: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Release',
            },
          },
        },
      },
    },
  },
} as const;
