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
       * Deploy checks, by name, that must let each deploy to this environment
       * go: before it is queued (a refusal answers 409 and writes nothing)
       * and again right before it starts (a refusal ends it `failed` without
       * running it). Backend modules add checks
       * (`sledDeployChecksExtensionPoint` of `@internal/plugin-sled-node`);
       * start-up fails on a name no module added.
       */
      checks?: string[];
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
  };
}
