export interface Config {
  sled?: {
    /**
     * Environments services can be deployed to, in display order.
     */
    environments: Array<{
      /** lower-case name, e.g. `staging` */
      name: string;
      /**
       * The executor that runs its deploys: `local` runs deploy commands as
       * child processes, `kubernetes` as Jobs; a backend module may register
       * another kind (`sledExecutorsExtensionPoint` of
       * `@internal/plugin-sled-node`), which may read further keys of the
       * environment. Start-up fails on a kind no executor is registered for.
       */
      executor: string;
      /** a cluster name from `kubernetes.clusterLocatorMethods` (kubernetes executor) */
      cluster?: string;
      /** namespace the deploy Jobs run in (kubernetes executor) */
      namespace?: string;
      /** deploys to this environment must give a reason */
      requireReason?: boolean;
      /**
       * Tell the service's owning group (a Backstage notification, topic
       * `sled-<environment>`) when a deploy reaches this environment or fails
       * or is lost there; requesters hear of their own deploys everywhere
       * (topic `sled-deploys`).
       */
      notify?: boolean;
      /**
       * Deploy checks, by name, that must let each deploy to this environment
       * go: before it is queued (a refusal answers 409 and writes nothing)
       * and again right before it starts (a refusal ends it `failed` without
       * running it). Backend modules add checks
       * (`sledDeployChecksExtensionPoint` of `@internal/plugin-sled-node`);
       * start-up fails on a name no module added.
       */
      checks?: string[];
      /**
       * Promotion: an artifact may be deployed here only after it succeeded
       * in `from` at least `soak` ago and still runs there (or has been
       * replaced there only by newer successes). A refusal names how long is
       * left; `sled.gate.override` may deploy past it with a reason.
       */
      promotion?: {
        /** the environment an artifact is promoted from */
        from: string;
        /** how long it must have run there, e.g. `30m`, `2h` or `PT30M`; default 0 */
        soak?: string | { minutes?: number; hours?: number; days?: number };
      };
      /**
       * Approvals: a deploy here waits (`awaiting_approval`) until `required`
       * distinct approvers approve it, then it is queued; a rejection ends it
       * `rejected`, and approvals that do not come within `expiresAfter` end
       * it `expired`. Approvers also need the `sled.deploy.approve`
       * permission on the target. Never overridden.
       */
      approvals?: {
        /** distinct approvals needed; default 1 */
        required?: number;
        /**
         * who may approve: `owners` (the service's owning group in the
         * catalog) and group or user entity refs; empty or absent: anyone
         * with `sled.deploy.approve`
         */
        approvers?: string[];
        /** may the requester approve their own deploy; default false */
        allowSelfApproval?: boolean;
        /** how long a deploy waits for its approvals, e.g. `24h`; default 24h */
        expiresAfter?:
          | string
          | { minutes?: number; hours?: number; days?: number };
      };
      /**
       * Deploy windows: `deny` windows freeze deploys while open (deny wins);
       * when any `allow` window exists, deploys start only inside one. Each
       * opens at the times its cron `schedule` names, in its `timezone`, and
       * lasts `duration` (whole days are calendar days). Checked before a
       * deploy is queued and again before it starts; `sled.gate.override`
       * may deploy past them with a reason.
       */
      windows?: Array<{
        kind: 'allow' | 'deny';
        /** a cron expression, e.g. `0 18 * * 5` (Fridays 18:00) */
        schedule: string;
        /** e.g. `62h` or `10h` */
        duration: string | { minutes?: number; hours?: number; days?: number };
        /** an IANA time zone, e.g. `Europe/London`; default UTC */
        timezone?: string;
        /** shown to whoever is refused, e.g. `weekend freeze` */
        reason?: string;
      }>;
    }>;
    /** development only: never set these in production */
    development?: {
      /**
       * At start-up, when the database holds no artifact, register a few
       * example artifacts for every deployable service through the REST API
       * with the CI token (the static `externalAccess` token whose subject is
       * `ci`), and record some deploy history in the past. Default false.
       */
      exampleData?: boolean;
    };
    /** local process executor */
    local?: {
      /** seconds before a deploy process is killed; default 900 */
      timeoutSeconds?: number;
    };
    /** deploy-group releases */
    releases?: {
      /** member deploys in flight at once within a wave; default 10 */
      parallelism?: number;
    };
    kubernetes?: {
      /** the deployer image of services whose catalog entity names none (`sled.dev/deployer-image`) */
      defaultDeployerImage?: string;
      /**
       * Glob patterns (minimatch) of the deployer images an artifact may name
       * in `deploy.image`; such images must also be pinned by digest
       * (`<repository>@sha256:<digest>`). Matched against the whole reference
       * and its repository. Empty (the default): artifacts cannot name an
       * image; the catalog annotation and `defaultDeployerImage` are used.
       */
      allowedImages?: string[];
      /**
       * The service account deploy Jobs run as, in each environment's
       * namespace: a deploy script that applies to the cluster (libdeploy)
       * gets its token, and its Role decides what it may change. Absent: the
       * namespace's default account.
       */
      serviceAccountName?: string;
      ttlSecondsAfterFinished?: number;
      activeDeadlineSeconds?: number;
      /** container resources of deploy Jobs */
      resources?: {
        requests?: { [name: string]: string };
        limits?: { [name: string]: string };
      };
      /** timeout of each Kubernetes API request; default 10 */
      requestTimeoutSeconds?: number;
      /** `timeoutSeconds` of each Job watch; default 240 */
      watchTimeoutSeconds?: number;
    };
    /** DORA metrics (`GET /metrics/dora`) */
    metrics?: {
      /**
       * A successful deploy followed on its target by a rollback this soon
       * counts as a failed change, e.g. `1h`, `PT30M` or `{ hours: 2 }`;
       * default 1h. A deploy a rollback names is failed whenever it came.
       */
      rollbackWithin?:
        | string
        | { minutes?: number; hours?: number; days?: number };
    };
  };
}
