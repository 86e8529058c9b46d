// Generated from plugins/sled-backend/openapi.yaml by `yarn generate:openapi`: do not edit.
/* eslint-disable */

export interface paths {
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness, unauthenticated
     * @description Answers 200 while the plugin is up.
     */
    get: operations['getHealth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * This document, unauthenticated
     * @description The document with every path under the route the plugin is mounted at (`/api/sled/deploys` …), as Backstage plugins serve theirs.
     */
    get: operations['getOpenApiDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/artifacts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Artifacts, newest first (permission sled.read, filtered in SQL)
     * @description A page of artifacts; pass `nextCursor` back as `cursor`.
     */
    get: operations['listArtifacts'];
    put?: never;
    /**
     * Register an artifact (CI; permission sled.artifact.register)
     * @description Registering the same version with the same content again answers 200 with the existing artifact.
     */
    post: operations['registerArtifact'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/artifacts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One artifact
     * @description The artifact, or 404 when it is missing or not readable.
     */
    get: operations['getArtifact'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/artifacts/{id}/checks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Record a CI check's result for an artifact (CI, permission sled.artifact.register)
     * @description The latest result of each check name counts.
     */
    post: operations['recordArtifactCheck'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/artifacts/{id}/changes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What deploying an artifact to an environment changes (permission sled.read on the target)
     * @description The artifacts between what runs in the environment (its latest succeeded deploy, dry runs aside) and this one, with their merge requests and commits. "Between" is by version order, not by when CI registered them: numbers compare as numbers (1.4.10 after 1.4.9), a leading v is ignored, a pre-release (1.5.0-rc.1) comes before its release, and build metadata (+…) counts last; equal versions fall back to registration order. Forward, the list holds the artifacts after the running one up to and including this one; for a rollback (this one is older), the running one and those after this one, that is what is taken back. With `deployId`, the answer is for that past deploy of this artifact: against what ran in the environment before it. 404 when the artifact is missing or its service not readable.
     */
    get: operations['getArtifactChanges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/environments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Configured environments with their environment-wide locks
     * @description Every configured environment, in configuration order.
     */
    get: operations['listEnvironments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deploys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Deploys, newest first, keyset-paginated (permission sled.read, filtered in SQL)
     * @description A page of deploys; pass `nextCursor` back as `cursor`.
     */
    get: operations['listDeploys'];
    put?: never;
    /**
     * Deploy an artifact (permission sled.deploy.create on the target)
     * @description Queues a deploy; it starts when nothing else runs on the target.
     */
    post: operations['createDeploy'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deploys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One deploy
     * @description The deploy, or 404 when it is missing or not readable.
     */
    get: operations['getDeploy'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deploys/{id}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The deploy's output; with follow=true, streamed until the deploy ends
     * @description Plain text, as the deploy wrote it.
     */
    get: operations['getDeployLogs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deploys/{id}/approvals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The approvals of a deploy, and whether the caller may decide
     * @description Who approved or rejected, when, and with what comment.
     */
    get: operations['listDeployApprovals'];
    put?: never;
    /**
     * Approve or reject a deploy awaiting approval (permission sled.deploy.approve, and the environment's approvers)
     * @description The n-th distinct approval queues the deploy; a rejection ends it `rejected`. The requester cannot approve their own deploy unless the environment allows it.
     */
    post: operations['decideDeployApproval'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/gates': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Whether a deploy of an artifact to an environment would pass its gates, for the caller
     * @description The same answer POST /deploys would give, gate by gate, without writing anything.
     */
    get: operations['getGates'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics/dora': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * DORA metrics of a service, a deploy group, an owner or everything (permission sled.read, filtered in SQL)
     * @description Deployment frequency, lead time for changes, change failure rate and time to restore over [from, to), and over the window of the same length just before it (the trend). Give at most one of entityRef, deployGroup and owner; none means every service the caller may read. Only deploys the caller may read are counted. A change is a deploy that is neither a dry run nor a rollback and ended succeeded, failed or lost; it failed when it ended failed or lost, was rolled back, or was followed on its target by a rollback within sled.metrics.rollbackWithin. Lead time runs from the merge of the artifact's merge request (`mergeRequest.mergedAt`) to the artifact's first success on the target; time to restore from a failure to the target's next success.
     */
    get: operations['getDoraMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deploys/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a queued or running deploy (permission sled.deploy.cancel)
     * @description A queued deploy never starts; a running one is stopped.
     */
    post: operations['cancelDeploy'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/rollbacks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Deploy the last artifact that succeeded on the target before the current one
     * @description Queues a deploy of the rollback target.
     */
    post: operations['createRollback'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/state': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Per environment, what runs for a service, its last deploy and lock
     * @description Only the environments where the caller may read the service.
     */
    get: operations['getServiceState'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/deployments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The deployments matrix: every deployable service × every environment, what runs there
     * @description For each deployable service of the catalog, the version that runs in each environment (its last successful, non-dry-run deploy), whether that differs from the environment before it in the promotion path (drift), deploys awaiting approval or in progress, and the lock in force. Only the services and environments the caller may read (sled.read); a service the caller may read in no environment is left out. The filters narrow the services; `facets` lists the values they may take.
     */
    get: operations['getDeployments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/locks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Locks in force; with entityRef or deployGroup, those that apply to it (its own, its group's, environment-wide)
     * @description Only the locks the caller may read.
     */
    get: operations['listLocks'];
    put?: never;
    /**
     * Lock an environment, one service in it (permission sled.lock), or every member of a deploy group in it (permission sled.release on the group)
     * @description A lock stops new deploys to what it locks until it is removed or expires.
     */
    post: operations['createLock'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/locks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove a lock (permission sled.lock; sled.release on the group for a deploy-group lock)
     * @description Deploys to what it locked may start again.
     */
    delete: operations['deleteLock'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/releases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Releases, newest first
     * @description The newest releases, of one deploy group if asked.
     */
    get: operations['listReleases'];
    put?: never;
    /**
     * Release a deploy group to an environment (permission sled.release on the group, and deploy permission on every member)
     * @description Deploys the group's members in waves, in dependency order.
     */
    post: operations['createRelease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/releases/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One release with its members' deploys
     * @description Only the members the caller may read; 404 when none.
     */
    get: operations['getRelease'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/releases/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel what has not finished
     * @description Needs sled.release on the group, and sled.deploy.cancel on every member deploy still queued or running; 403 naming the members otherwise, nothing cancelled.
     */
    post: operations['cancelRelease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/releases/{id}/approvals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The approvals of a release, and whether the caller may decide
     * @description A release into an environment that requires approvals asks for them once, for the whole release (status `awaiting_approval`); its member deploys then run without asking again and show these decisions.
     */
    get: operations['listReleaseApprovals'];
    put?: never;
    /**
     * Approve or reject a release awaiting approval (sled.deploy.approve on every member, and the environment's approvers)
     * @description The n-th distinct approval starts the release; a rejection ends it `rejected`. `owners` among the environment's approvers means the deploy group's owner. The requester cannot approve their own release unless the environment allows it.
     */
    post: operations['decideReleaseApproval'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/releases/{id}/rollback': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Release the artifacts of the group's previous successful release again
     * @description A new release whose `rollbackOf` names this one.
     */
    post: operations['rollbackRelease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description an entity ref (kind:namespace/name, kind:name or name); one line of text */
    EntityRef: string;
    /** @description the name of a configured environment; one line of text */
    EnvironmentName: string;
    /** @description one line of text, not blank */
    LineText: string;
    /** @description free text; tabs and line breaks, no other control characters */
    Reason: string;
    /**
     * Format: uri
     * @description an https or http URL with a host
     */
    WebUrl: string;
    /**
     * Format: uuid
     * @description a UUID (RFC 9562 variant, versions 1-8, or nil/max)
     */
    Uuid: string;
    /** @description 1 to 100 comma-separated UUIDs */
    UuidList: string;
    /**
     * Format: date-time
     * @description an ISO 8601 date-time with seconds, and Z or a numeric offset (+hh:mm)
     */
    DateTime: string;
    /**
     * @description `awaiting_approval` until the environment's required approvals are given (then `queued`), `rejected` when an approver rejected it, `expired` when its approvals did not come in time; `skipped` means the artifact was already what runs there; `lost` that the deploy's Job vanished before its outcome was recorded (unknown)
     * @enum {string}
     */
    DeployStatus:
      | 'awaiting_approval'
      | 'queued'
      | 'running'
      | 'succeeded'
      | 'failed'
      | 'cancelled'
      | 'lost'
      | 'rejected'
      | 'expired'
      | 'skipped';
    /** @description the kind of executor that runs an environment's deploys: the built-in `local` and `kubernetes`, or one a backend module registers */
    ExecutorKind: string;
    Error: {
      error: {
        name: string;
        message: string;
      };
    };
    MergeRequest: {
      url: components['schemas']['WebUrl'];
      title: components['schemas']['LineText'];
      mergedAt?: components['schemas']['DateTime'];
    };
    /** @description What an artifact may say about how it is deployed. The command always comes from the catalog entity (`sled.dev/deploy-command`); an artifact naming one is refused (400 naming `deploy.command`). The image must be pinned by digest and match sled.kubernetes.allowedImages (checked by the server), else 400. */
    ArtifactDeploySpec: {
      /** @description deployer container image (Kubernetes executor), pinned by digest */
      image?: components['schemas']['LineText'];
      /** @description never allowed (what runs comes from the catalog entity) */
      command?: unknown;
    };
    RegisterArtifactRequest: {
      entityRef: components['schemas']['EntityRef'];
      /** @description letters, digits and . _ + - (at most 128) */
      version: string;
      image?: components['schemas']['LineText'];
      /** @description a hex commit SHA */
      commitSha: string;
      mergeRequest?: components['schemas']['MergeRequest'];
      buildUrl?: components['schemas']['WebUrl'];
      deploy?: components['schemas']['ArtifactDeploySpec'];
      /** @description CI checks of this build; more can be recorded later (POST /artifacts/{id}/checks) */
      checks?: components['schemas']['ArtifactCheck'][];
    };
    CreateDeployRequest: {
      entityRef: components['schemas']['EntityRef'];
      environment: components['schemas']['EnvironmentName'];
      artifactId: components['schemas']['Uuid'];
      dryRun?: boolean;
      /** @description deploy even when the artifact already runs there */
      force?: boolean;
      /** @description required where the environment says so */
      reason?: components['schemas']['Reason'];
      /** @description deploy past a promotion soak, a deploy window or a failed deploy check (permission sled.gate.override on the target, a reason required, audited at high severity); approvals are never overridden */
      overrideGates?: boolean;
    };
    ApprovalDecisionRequest: {
      /** @enum {string} */
      decision: 'approve' | 'reject';
      comment?: components['schemas']['Reason'];
    };
    /** @description the result of one CI check of an artifact (the ci-status deploy check reads them) */
    ArtifactCheck: {
      /** @description lower-case letters, digits and . _ - (at most 64) */
      name: string;
      /** @enum {string} */
      status: 'passed' | 'failed' | 'pending';
      url?: components['schemas']['WebUrl'];
    };
    CreateRollbackRequest: {
      entityRef: components['schemas']['EntityRef'];
      environment: components['schemas']['EnvironmentName'];
      reason?: components['schemas']['Reason'];
    };
    /** @description lock one service (entityRef) or a deploy group (deployGroup), not both */
    CreateLockRequest: {
      environment: components['schemas']['EnvironmentName'];
      /** @description lock only this service (not with deployGroup) */
      entityRef?: components['schemas']['EntityRef'];
      /** @description DeployGroup entity ref: lock every member (not with entityRef) */
      deployGroup?: components['schemas']['EntityRef'];
      reason: string;
      /** @description must be in the future (checked by the server) */
      expiresAt?: components['schemas']['DateTime'];
    };
    CreateReleaseRequest: {
      /** @description DeployGroup entity ref */
      deployGroup: components['schemas']['EntityRef'];
      environment: components['schemas']['EnvironmentName'];
      /** @description entity ref → artifact id; members not listed get their newest artifact, and those with none yet are left out (400 when no member has one) */
      artifacts?: {
        [key: string]: components['schemas']['Uuid'];
      };
      dryRun?: boolean;
      reason?: components['schemas']['Reason'];
    };
    RollbackReleaseRequest: {
      reason?: components['schemas']['Reason'];
    };
    /** @description An immutable, deployable build of one service. */
    Artifact: {
      /** Format: uuid */
      id: string;
      entityRef: string;
      /** @description the service's owner when the artifact was registered */
      ownerRef?: string;
      version: string;
      image?: string;
      commitSha: string;
      mergeRequest?: components['schemas']['MergeRequest'];
      buildUrl?: string;
      deploy?: components['schemas']['ArtifactDeploySpec'];
      /** @description CI checks recorded for this build, the latest result of each name */
      checks?: components['schemas']['ArtifactCheck'][];
      /** Format: date-time */
      createdAt: string;
    };
    /** @description an artifact, as a change list shows it */
    ArtifactSummary: {
      /** Format: uuid */
      id: string;
      version: string;
      commitSha: string;
      mergeRequest?: components['schemas']['MergeRequest'];
      buildUrl?: string;
      /** Format: date-time */
      createdAt: string;
    };
    /** @description a merge request an artifact of a change list was built from */
    ChangedMergeRequest: {
      url: string;
      title: string;
      /** Format: date-time */
      mergedAt?: string;
      /**
       * Format: uuid
       * @description the artifact (of `artifacts`) built from it
       */
      artifactId: string;
      version: string;
    };
    /** @description What deploying an artifact to an environment changes, in version order. */
    ArtifactChanges: {
      entityRef: string;
      environment: string;
      /**
       * @description forward: the candidate is a later version than what runs; rollback: an earlier one (the artifacts are taken back); same: it runs already; initial: nothing ran there yet (the artifacts are every version up to the candidate)
       * @enum {string}
       */
      direction: 'forward' | 'rollback' | 'same' | 'initial';
      /** @description what runs in the environment (with deployId, what ran before that deploy) */
      current?: components['schemas']['ArtifactSummary'];
      candidate: components['schemas']['ArtifactSummary'];
      /** @description the artifacts between, latest version first, at most `limit`: forward (and initial) up to and including the candidate; for a rollback, those taken back, the running one included */
      artifacts: components['schemas']['ArtifactSummary'][];
      /** @description how many artifacts are between (more than listed when over `limit`) */
      total: number;
      /** @description the merge requests of `artifacts`, once each, in their order */
      mergeRequests: components['schemas']['ChangedMergeRequest'][];
      /** @description the commits of `artifacts`, in their order (the commit each was built from) */
      commits?: string[];
    };
    ArtifactPage: {
      items: components['schemas']['Artifact'][];
      nextCursor?: string;
    };
    /** @description A lock on an environment, or on one service or deploy group in it. */
    Lock: {
      id: string;
      environment: string;
      /** @description when set, only this service is locked in the environment */
      entityRef?: string;
      /** @description when set, every member of this deploy group is locked in the environment */
      deployGroup?: string;
      reason: string;
      createdBy: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      expiresAt?: string;
    };
    Environment: {
      name: string;
      executor: components['schemas']['ExecutorKind'];
      cluster?: string;
      namespace?: string;
      requireReason: boolean;
      /** @description the deploy checks a deploy to it must pass, by name */
      checks?: string[];
      gates?: components['schemas']['EnvironmentGates'];
      window?: components['schemas']['WindowState'];
      /** @description environment-wide locks in force */
      locks: components['schemas']['Lock'][];
    };
    /** @description the release gates of an environment (sled.environments[]) */
    EnvironmentGates: {
      /** @description an artifact must have succeeded in `from` at least soakMinutes ago, and still run there (or have been replaced only by newer successes) */
      promotion?: {
        from: string;
        soakMinutes: number;
      };
      approvals?: {
        /** @description distinct approvers needed */
        required: number;
        /** @description 'owners' (the service's owning group) and entity refs of groups or users; empty: anyone with sled.deploy.approve */
        approvers: string[];
        allowSelfApproval: boolean;
        expiresAfterMinutes: number;
      };
      windows?: components['schemas']['DeployWindow'][];
    };
    DeployWindow: {
      /** @enum {string} */
      kind: 'allow' | 'deny';
      /** @description a cron expression: when the window opens */
      schedule: string;
      durationMinutes: number;
      timezone: string;
      reason?: string;
    };
    /** @description whether the environment's deploy windows let deploys start now */
    WindowState: {
      open: boolean;
      /** @description e.g. "Frozen until Mon 08:00 — weekend freeze" or "Deploys allowed 08:00–18:00" */
      message: string;
      /**
       * Format: date-time
       * @description when this changes (a freeze ends, an allow window closes or opens)
       */
      changesAt?: string;
    };
    Gate: {
      /** @description promotion, window, check:<name> or approvals */
      name: string;
      passed: boolean;
      message: string;
      /**
       * Format: date-time
       * @description when the gate will pass on its own (a soak ends, a window opens)
       */
      opensAt?: string;
      /** @description sled.gate.override may pass it (never approvals) */
      overridable: boolean;
    };
    DoraDuration: {
      /** @description how many durations were measured */
      count: number;
      medianSeconds?: number;
      meanSeconds?: number;
    };
    DoraFigures: {
      /** Format: date-time */
      from: string;
      /** Format: date-time */
      to: string;
      /** @description changes that succeeded (deployment frequency) */
      deployments: number;
      deploymentsPerDay: number;
      /** @description deploys that ended succeeded, failed or lost, neither dry runs nor rollbacks */
      changes: number;
      /** @description changes that failed, were lost or were rolled back */
      failures: number;
      /** @description failures / changes; absent without changes */
      changeFailureRate?: number;
      /** @description merge of the artifact's merge request to its first success on the target */
      leadTime: components['schemas']['DoraDuration'];
      /** @description a failure to the target's next success (count = failures restored) */
      timeToRestore: components['schemas']['DoraDuration'];
    };
    DoraMetrics: {
      entityRef?: string;
      deployGroup?: string;
      owner?: string;
      environment?: string;
      /** @description a success followed by a rollback this soon counts as failed (sled.metrics.rollbackWithin) */
      rollbackWithinSeconds: number;
      current: components['schemas']['DoraFigures'];
      /** @description the window of the same length just before `current` */
      previous: components['schemas']['DoraFigures'];
    };
    GateReport: {
      /** @description a deploy of this artifact may be requested now by the caller (it may then wait for approvals) */
      allowed: boolean;
      /** @description the caller may override the gates that refuse (sled.gate.override) */
      canOverride?: boolean;
      gates: components['schemas']['Gate'][];
    };
    Approval: {
      approver: string;
      /** @enum {string} */
      decision: 'approve' | 'reject';
      comment?: string;
      /** Format: date-time */
      createdAt: string;
    };
    ApprovalList: {
      /** @description distinct approvals the deploy needs */
      required: number;
      items: components['schemas']['Approval'][];
      /** Format: date-time */
      expiresAt?: string;
      /** @description the caller may approve or reject it now */
      canDecide: boolean;
      /** @description why the caller may not decide, when they may not */
      refusal?: string;
    };
    /** @description Where and how a deploy ran, as recorded by its executor. */
    DeployExecution: {
      executor: components['schemas']['ExecutorKind'];
      /** @description local: the process id; kubernetes: cluster/namespace/job */
      handle?: string;
      cluster?: string;
      namespace?: string;
      jobName?: string;
    };
    Deploy: {
      /** Format: uuid */
      id: string;
      entityRef: string;
      /** @description the service's owner when the deploy was requested */
      ownerRef?: string;
      environment: string;
      artifactId: string;
      artifactVersion: string;
      status: components['schemas']['DeployStatus'];
      dryRun: boolean;
      force: boolean;
      requestedBy: string;
      reason?: string;
      rollbackOf?: string;
      releaseId?: string;
      /** @description human-readable outcome, e.g. why it failed or was skipped */
      message?: string;
      exitCode?: number;
      /** @description requested past a refusing gate with sled.gate.override */
      gatesOverridden?: boolean;
      /**
       * Format: date-time
       * @description while awaiting approval, when it expires
       */
      approvalExpiresAt?: string;
      execution?: components['schemas']['DeployExecution'];
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      startedAt?: string;
      /** Format: date-time */
      finishedAt?: string;
    };
    DeployPage: {
      items: components['schemas']['Deploy'][];
      nextCursor?: string;
    };
    /** @description What runs in one environment for one service. */
    EnvironmentState: {
      environment: string;
      executor: components['schemas']['ExecutorKind'];
      requireReason: boolean;
      /** @description the artifact of the last successful, non-dry-run deploy */
      current?: {
        artifact: components['schemas']['Artifact'];
        deploy: components['schemas']['Deploy'];
      };
      /** @description what a rollback would deploy */
      rollbackTarget?: components['schemas']['Artifact'];
      /** @description the most recent deploy of any status */
      lastDeploy?: components['schemas']['Deploy'];
      /** @description the lock in force for this service in this environment */
      lock?: components['schemas']['Lock'];
      gates?: components['schemas']['EnvironmentGates'];
      window?: components['schemas']['WindowState'];
    };
    ServiceState: {
      entityRef: string;
      environments: components['schemas']['EnvironmentState'][];
    };
    /** @description a column of the deployments matrix */
    DeploymentEnvironment: {
      name: string;
      /** @description the environment before it in the promotion path (its promotion gate's `from`, else the one before it in configuration order); drift is measured against it */
      promotionFrom?: string;
      window?: components['schemas']['WindowState'];
      /** @description deploys to it awaiting approval, of the services shown */
      pendingApprovals: number;
      /** @description environment-wide locks in force */
      locks: components['schemas']['Lock'][];
    };
    /** @description what runs for one service in one environment */
    DeploymentCell: {
      environment: string;
      /** @description the last successful, non-dry-run deploy */
      current?: {
        deployId: string;
        artifactId: string;
        version: string;
        /** Format: date-time */
        deployedAt?: string;
      };
      /** @description the version differs from the one in `promotionFrom` (one of them runs nothing, or another version) */
      drift: boolean;
      /** @description deploys awaiting approval */
      pendingApprovals: number;
      /** @description a deploy is queued or running */
      deploying: boolean;
      /** @description the lock in force (the service's own, its group's or the environment's) */
      lock?: components['schemas']['Lock'];
    };
    DeploymentRow: {
      entityRef: string;
      title?: string;
      ownerRef?: string;
      system?: string;
      deployGroup?: string;
      /** @description the environments the caller may read it in, in the order of `environments` */
      environments: components['schemas']['DeploymentCell'][];
    };
    DeploymentMatrix: {
      environments: components['schemas']['DeploymentEnvironment'][];
      /** @description by entity ref */
      services: components['schemas']['DeploymentRow'][];
      /** @description the owners, systems and deploy groups of the services the caller may read, whatever the filters */
      facets: {
        owners: string[];
        systems: string[];
        deployGroups: string[];
      };
    };
    /**
     * @description `running` until every member ended or the release was stopped; `awaiting_approval` first when its environment requires approvals (then `running`, or `rejected` / `expired`)
     * @enum {string}
     */
    ReleaseStatus:
      | 'awaiting_approval'
      | 'running'
      | 'succeeded'
      | 'failed'
      | 'cancelled'
      | 'rejected'
      | 'expired';
    /**
     * @description a deploy status; `pending` until the member's deploy is created, `not-started` when the release stopped before the member's wave
     * @enum {string}
     */
    ReleaseMemberStatus:
      | 'awaiting_approval'
      | 'queued'
      | 'running'
      | 'succeeded'
      | 'failed'
      | 'cancelled'
      | 'lost'
      | 'rejected'
      | 'expired'
      | 'skipped'
      | 'pending'
      | 'not-started';
    ReleaseMember: {
      entityRef: string;
      /** @description 0-based wave */
      wave: number;
      artifactId: string;
      artifactVersion: string;
      deployId?: string;
      status: components['schemas']['ReleaseMemberStatus'];
      message?: string;
    };
    Release: {
      id: string;
      /** @description the DeployGroup entity ref */
      deployGroup: string;
      environment: string;
      status: components['schemas']['ReleaseStatus'];
      dryRun: boolean;
      requestedBy: string;
      reason?: string;
      /** @description the release this one rolls back */
      rollbackOf?: string;
      message?: string;
      /**
       * Format: date-time
       * @description while awaiting approval, when it expires
       */
      approvalExpiresAt?: string;
      members: components['schemas']['ReleaseMember'][];
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      finishedAt?: string;
    };
    ReleaseList: {
      items: components['schemas']['Release'][];
    };
  };
  responses: {
    /** @description invalid input; the message names the field */
    Invalid: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description not found */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description same version registered with different content */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: {
    id: components['schemas']['Uuid'];
    limit: number;
    /** @description nextCursor of the previous page (empty for the first page) */
    cursor: string;
  };
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description ok */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
    };
  };
  getOpenApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the OpenAPI document */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': Record<string, never>;
        };
      };
    };
  };
  listArtifacts: {
    parameters: {
      query?: {
        entityRef?: components['schemas']['EntityRef'];
        /** @description comma-separated artifact ids (1-100) */
        ids?: components['schemas']['UuidList'];
        limit?: components['parameters']['limit'];
        /** @description nextCursor of the previous page (empty for the first page) */
        cursor?: components['parameters']['cursor'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ArtifactPage'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  registerArtifact: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegisterArtifactRequest'];
      };
    };
    responses: {
      /** @description identical replay; the existing artifact */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Artifact'];
        };
      };
      /** @description registered */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Artifact'];
        };
      };
      400: components['responses']['Invalid'];
      409: components['responses']['Conflict'];
    };
  };
  getArtifact: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the artifact */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Artifact'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  recordArtifactCheck: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ArtifactCheck'];
      };
    };
    responses: {
      /** @description the artifact with its checks */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Artifact'];
        };
      };
      400: components['responses']['Invalid'];
      404: components['responses']['NotFound'];
    };
  };
  getArtifactChanges: {
    parameters: {
      query: {
        environment: components['schemas']['EnvironmentName'];
        /** @description a deploy of this artifact to this environment; compare with what ran before it */
        deployId?: components['schemas']['Uuid'];
        limit?: components['parameters']['limit'];
      };
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the changes */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ArtifactChanges'];
        };
      };
      400: components['responses']['Invalid'];
      404: components['responses']['NotFound'];
    };
  };
  listEnvironments: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description environments */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Environment'][];
        };
      };
    };
  };
  listDeploys: {
    parameters: {
      query?: {
        entityRef?: components['schemas']['EntityRef'];
        environment?: components['schemas']['EnvironmentName'];
        /** @description comma-separated statuses (empty for any) */
        status?: string;
        /** @description only deploys created at or after this instant */
        createdAfter?: components['schemas']['DateTime'];
        limit?: components['parameters']['limit'];
        /** @description nextCursor of the previous page (empty for the first page) */
        cursor?: components['parameters']['cursor'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeployPage'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  createDeploy: {
    parameters: {
      query?: never;
      header?: {
        /** @description a retried request with the same key returns the same deploy */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateDeployRequest'];
      };
    };
    responses: {
      /** @description skipped (the artifact already runs there) or an idempotent replay */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      /** @description queued (it starts when nothing else runs on the target), or awaiting_approval where the environment requires approvals */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      400: components['responses']['Invalid'];
      /** @description the target is locked (the message names the lock), a gate of the environment refused the deploy (promotion, a deploy window or a deploy check: the message names the gate, the target and how to go on; nothing is written), or the Idempotency-Key was used for another request */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getDeploy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the deploy */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  getDeployLogs: {
    parameters: {
      query?: {
        follow?: 'true' | 'false';
      };
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description log text */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  listDeployApprovals: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description approvals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApprovalList'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  decideDeployApproval: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ApprovalDecisionRequest'];
      };
    };
    responses: {
      /** @description the deploy after the decision */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      400: components['responses']['Invalid'];
      /** @description the caller is not an approver of the deploy */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      404: components['responses']['NotFound'];
      /** @description the deploy is not awaiting approval, or the caller already decided or requested it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getGates: {
    parameters: {
      query: {
        entityRef: components['schemas']['EntityRef'];
        environment: components['schemas']['EnvironmentName'];
        artifactId: components['schemas']['Uuid'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the gates */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GateReport'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  getDoraMetrics: {
    parameters: {
      query?: {
        entityRef?: components['schemas']['EntityRef'];
        deployGroup?: components['schemas']['EntityRef'];
        /** @description the owner's entity ref (a group or a user), as the deploys recorded it */
        owner?: components['schemas']['EntityRef'];
        /** @description only this environment (default every environment) */
        environment?: components['schemas']['EnvironmentName'];
        /** @description start of the window (default 30 days before `to`) */
        from?: components['schemas']['DateTime'];
        /** @description end of the window, excluded (default now); at most 366 days after `from` */
        to?: components['schemas']['DateTime'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the figures of the window and of the one before it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DoraMetrics'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  cancelDeploy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the deploy, cancelled or being cancelled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      404: components['responses']['NotFound'];
      /** @description it already ended */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createRollback: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateRollbackRequest'];
      };
    };
    responses: {
      /** @description queued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deploy'];
        };
      };
      400: components['responses']['Invalid'];
      /** @description nothing to roll back to, the target is locked, or a deploy check of the environment refused the deploy (the message names the check) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getServiceState: {
    parameters: {
      query: {
        entityRef: components['schemas']['EntityRef'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceState'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  getDeployments: {
    parameters: {
      query?: {
        /** @description only services owned by this group or user (entity ref) */
        owner?: components['schemas']['EntityRef'];
        /** @description only services of this system (entity ref) */
        system?: components['schemas']['EntityRef'];
        /** @description only members of this deploy group (entity ref) */
        deployGroup?: components['schemas']['EntityRef'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the matrix */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeploymentMatrix'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  listLocks: {
    parameters: {
      query?: {
        environment?: components['schemas']['EnvironmentName'];
        entityRef?: components['schemas']['EntityRef'];
        deployGroup?: components['schemas']['EntityRef'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description locks */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Lock'][];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  createLock: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateLockRequest'];
      };
    };
    responses: {
      /** @description the lock */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Lock'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  deleteLock: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description removed */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      404: components['responses']['NotFound'];
    };
  };
  listReleases: {
    parameters: {
      query?: {
        deployGroup?: components['schemas']['EntityRef'];
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description releases */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ReleaseList'];
        };
      };
      400: components['responses']['Invalid'];
    };
  };
  createRelease: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateReleaseRequest'];
      };
    };
    responses: {
      /** @description the release, running in waves */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Release'];
        };
      };
      400: components['responses']['Invalid'];
      /** @description a member is locked, or a deploy check of the environment refused a member's deploy (the message names the check); nothing is written */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getRelease: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the release */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Release'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  cancelRelease: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the release */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Release'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  listReleaseApprovals: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description approvals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApprovalList'];
        };
      };
      404: components['responses']['NotFound'];
    };
  };
  decideReleaseApproval: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ApprovalDecisionRequest'];
      };
    };
    responses: {
      /** @description the release after the decision */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Release'];
        };
      };
      400: components['responses']['Invalid'];
      /** @description the caller is not an approver of the release */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      404: components['responses']['NotFound'];
      /** @description the release is not awaiting approval, or the caller already decided or requested it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  rollbackRelease: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['id'];
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RollbackReleaseRequest'];
      };
    };
    responses: {
      /** @description the new release */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Release'];
        };
      };
      400: components['responses']['Invalid'];
      404: components['responses']['NotFound'];
    };
  };
}
