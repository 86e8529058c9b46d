import { randomUUID } from 'crypto';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  parseSledTargetRef,
  sledArtifactRegisterPermission,
  sledDeployGroupPermissions,
  sledGatePermissions,
  sledLockPermissions,
  sledTargetPermissions,
} from '@internal/plugin-sled-common';
import {
  sledDeployChecksExtensionPoint,
  sledExecutorsExtensionPoint,
  SledApiService,
} from '@internal/plugin-sled-node';
import { registerSledActions } from './actions/sledActions';
import { DeployChecks } from './checks/DeployChecks';
import { checkEnvironmentExtensions, readSledConfig } from './config';
import { readGatesConfig } from './gates/gatesConfig';
import { addGateRoutes } from './gates/gateRouter';
import { DatabaseDoraMetricsStore } from './metrics/DatabaseDoraMetricsStore';
import { readMetricsConfig } from './metrics/metricsConfig';
import { addMetricsRoutes } from './metrics/metricsRouter';
import { addChangeRoutes } from './insight/changesRouter';
import { ArtifactChangeInsight } from './insight/ArtifactChangeInsight';
import { DatabaseArtifactChangeStore } from './database/DatabaseArtifactChangeStore';
import { addDeploymentRoutes } from './overview/deploymentsRouter';
import { ExampleData } from './development/ExampleData';
import { DatabaseDeployStore } from './database/DatabaseDeployStore';
import { ExecutorRegistry } from './executors/ExecutorRegistry';
import { kubernetesExecutor } from './executors/kubernetes';
import { localExecutor } from './executors/localExecutor';
import { SledAuthorizer } from './permissions/SledAuthorizer';
import {
  sledDeployGroupResourceRef,
  sledDeployGroupRules,
  sledGateResourceRef,
  sledGateRules,
  sledLockResourceRef,
  sledLockRules,
  sledTargetResourceRef,
  sledTargetRules,
} from './permissions/rules';
import { DeployerImagePolicy } from './service/DeployerImagePolicy';
import { createDeployCore } from './service/DeployCore';
import { addDeployRoutes } from './service/router';
import { createSledApiRouter } from './service/SledApiRouter';
import { ServiceCatalog } from './service/ServiceCatalog';
import { DatabaseReleaseStore } from './database/DatabaseReleaseStore';
import { DeployGroupCatalog } from './releases/DeployGroupCatalog';
import { DeployWatcher } from './releases/DeployWatcher';
import { ReleasePlanner } from './releases/ReleasePlanner';
import { ReleaseService } from './releases/ReleaseService';
import { addReleaseRoutes } from './releases/releaseRouter';
import { readReleaseConfig } from './releases/config';
import { SledSignals } from './signals/SledSignals';
import { ReleaseChanges } from './releases/ReleaseChanges';
import { ApprovalNotifier } from './gates/ApprovalNotifier';
import { ReleaseApprovals } from './gates/ReleaseApprovals';
import { ReleaseNotifier } from './notifications/ReleaseNotifier';
import { readNotifyEnvironments } from './notifications/notifyConfig';

/**
 * SLeD: service-level deploys. REST API at `/api/sled`. Backend modules add
 * executors and deploy checks through the extension points of
 * `@internal/plugin-sled-node`.
 *
 * @public
 */
export const sledPlugin = createBackendPlugin({
  pluginId: 'sled',
  register(env) {
    const executors = new ExecutorRegistry();
    env.registerExtensionPoint(sledExecutorsExtensionPoint, {
      addExecutor: registration => executors.addExecutor(registration),
    });
    const checks = new DeployChecks();
    env.registerExtensionPoint(sledDeployChecksExtensionPoint, {
      addCheck: check => checks.addCheck(check),
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        userInfo: coreServices.userInfo,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
        signalsService: signalsServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        auth,
        auditor,
        permissions,
        permissionsRegistry,
        lifecycle,
        scheduler,
        catalog,
        discovery,
        userInfo,
        notifications,
        signalsService,
        actionsRegistry,
      }) {
        const sledConfig = readSledConfig(config);
        // the built-in executors, through the API modules use
        executors.addExecutor(
          localExecutor({ timeoutSeconds: sledConfig.local.timeoutSeconds }),
        );
        executors.addExecutor(
          kubernetesExecutor({ config, sledConfig, scheduler }),
        );
        checkEnvironmentExtensions(config, sledConfig.environments, {
          executors,
          checks: checks.names,
        });
        const serviceCatalog = new ServiceCatalog(catalog, auth);
        const store = await DatabaseDeployStore.create({ database });
        const watcher = new DeployWatcher(store);
        const images = new DeployerImagePolicy(
          sledConfig.kubernetes.allowedImages,
        );
        // the deploy lifecycle, and the executors of the environments' kinds
        const core = await createDeployCore({
          store,
          config: sledConfig,
          gates: readGatesConfig(config),
          notifications,
          notifyEnvironments: readNotifyEnvironments(config),
          executors,
          checks,
          images,
          logger,
          // this process, as the runner of the deploys it runs
          runnerId: randomUUID(),
        });
        core.changes.subscribe(deploy => watcher.notify(deploy));
        // live updates of open tabs: `sled:*` signal channels
        const signals = new SledSignals({ signals: signalsService, logger });
        signals.watchDeploys(core.changes);

        // deploy targets and locks: `<entityRef>#<environment>` refs
        const getTargets = async (resourceRefs: string[]) =>
          Promise.all(
            resourceRefs.map(async ref => {
              const target = parseSledTargetRef(ref);
              const service = await serviceCatalog.getTarget(target.entityRef);
              return (
                service && {
                  ...target,
                  entityRef: service.entityRef,
                  ownerRef: service.ownerRef,
                }
              );
            }),
          );
        const groups = new DeployGroupCatalog(catalog, auth);
        // each resource type with its own permissions and rules only
        permissionsRegistry.addResourceType({
          resourceRef: sledTargetResourceRef,
          permissions: sledTargetPermissions,
          rules: Object.values(sledTargetRules),
          getResources: getTargets,
        });
        permissionsRegistry.addResourceType({
          resourceRef: sledLockResourceRef,
          permissions: sledLockPermissions,
          rules: Object.values(sledLockRules),
          getResources: getTargets,
        });
        permissionsRegistry.addResourceType({
          resourceRef: sledGateResourceRef,
          permissions: sledGatePermissions,
          rules: Object.values(sledGateRules),
          getResources: getTargets,
        });
        permissionsRegistry.addResourceType({
          resourceRef: sledDeployGroupResourceRef,
          permissions: sledDeployGroupPermissions,
          rules: Object.values(sledDeployGroupRules),
          getResources: async resourceRefs =>
            Promise.all(
              resourceRefs.map(async ref => {
                const group = await groups.findDeployGroup(ref);
                return (
                  group && {
                    entityRef: group.entityRef,
                    ownerRef: group.ownerRef,
                  }
                );
              }),
            ),
        });
        permissionsRegistry.addPermissions([sledArtifactRegisterPermission]);

        const authorizer = new SledAuthorizer(permissions, permissionsRegistry);
        const releaseStore = await DatabaseReleaseStore.create({ database });
        // release news: the group's owners hear when a release ends
        const releaseChanges = new ReleaseChanges();
        const releaseNotifier = new ReleaseNotifier({
          sender: core.notifications,
          ownerOf: async ref => (await groups.getDeployGroup(ref)).ownerRef,
        });
        releaseChanges.subscribe(change => {
          releaseNotifier
            .changed(change)
            .catch(error =>
              logger.warn(
                `Could not tell of release ${change.releaseId}: ${error}`,
              ),
            );
        });
        const releaseApprovals = new ReleaseApprovals({
          releases: releaseStore,
          approvals: store.releaseApprovals,
          rules: core.approvalRules,
          changes: releaseChanges,
          notifier: new ApprovalNotifier(core.notifications),
          runner: core.runner,
          ownerOf: async ref => (await groups.getDeployGroup(ref)).ownerRef,
        });
        const releases = new ReleaseService({
          releases: releaseStore,
          store,
          deploys: core.requests,
          environments: core.environments,
          runner: core.runner,
          watcher,
          planner: new ReleasePlanner(readReleaseConfig(config)),
          logger,
          getService: ref => serviceCatalog.getDeployable(ref),
          changes: releaseChanges,
          approvals: store.releaseApprovals,
        });
        signals.watchReleases(releaseChanges);
        const router = createSledApiRouter();
        addReleaseRoutes(router, {
          httpAuth,
          auditor,
          authorizer,
          releases,
          deploys: core.requests,
          environments: core.environments,
          groups,
          services: serviceCatalog,
          userInfo,
          approvals: releaseApprovals,
        });
        addDeployRoutes(router, {
          httpAuth,
          auditor,
          authorizer,
          deploys: core.requests,
          states: core.states,
          environments: core.environments,
          gates: core.gates,
          store,
          logs: core.logs,
          catalog: serviceCatalog,
          groups,
          images,
          signals,
        });
        addGateRoutes(router, {
          httpAuth,
          auditor,
          authorizer,
          userInfo,
          gates: core.gates,
          approvals: core.approvals,
          environments: core.environments,
          catalog: serviceCatalog,
          queue: store,
          artifacts: store,
          artifactChecks: store.artifactChecks,
        });
        addDeploymentRoutes(router, {
          httpAuth,
          auth,
          authorizer,
          database,
          catalog,
          locks: store,
          environments: core.environments,
          gates: core.gates,
        });
        addChangeRoutes(router, {
          httpAuth,
          authorizer,
          environments: core.environments,
          artifacts: store,
          insight: new ArtifactChangeInsight({
            changes: DatabaseArtifactChangeStore.create(
              await database.getClient(),
            ),
            artifacts: store,
            deploys: store,
          }),
        });
        addMetricsRoutes(router, {
          httpAuth,
          authorizer,
          catalog: serviceCatalog,
          groups,
          environments: core.environments,
          metrics: await DatabaseDoraMetricsStore.create({ database }),
          config: readMetricsConfig(config),
        });
        httpRouter.use(router);
        // sled:deploy, sled:rollback and sled:status for the actions registry (MCP):
        // calls of the REST API above, as the caller
        registerSledActions({
          actionsRegistry,
          sled: new SledApiService({ discovery, auth }),
        });
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        lifecycle.addStartupHook(async () => {
          signals.start();
          await core.lifecycle.start();
          await releases.recover({ startup: true });
          // each replica: take over deploys of replicas that died meanwhile
          await scheduler.scheduleTask({
            id: 'sled-take-over-deploys',
            scope: 'local',
            frequency: { seconds: 30 },
            timeout: { minutes: 2 },
            initialDelay: { seconds: 30 },
            fn: async () => {
              await core.lifecycle.recover();
              await releases.recover();
            },
          });
          // each replica: deploys whose approvals did not come in time
          if (!core.gates.anyApprovals) return;
          await scheduler.scheduleTask({
            id: 'sled-expire-approvals',
            scope: 'local',
            frequency: { seconds: 30 },
            timeout: { minutes: 1 },
            fn: async () => {
              await core.approvals.expireDue();
              await releaseApprovals.expireDue();
            },
          });
        });
        // development only: example artifacts and history for a first run
        const exampleData = ExampleData.fromConfig(config, {
          store,
          services: serviceCatalog,
          environments: sledConfig.environments,
          discovery,
          logger,
        });
        const stopExampleData = new AbortController();
        lifecycle.addStartupHook(() => {
          exampleData?.run(stopExampleData.signal).catch(error => {
            if (!stopExampleData.signal.aborted) {
              logger.error('example data could not be created', error);
            }
          });
        });
        lifecycle.addShutdownHook(async () => {
          stopExampleData.abort();
          // planners first: once this backend's runner row goes, another
          // replica takes its releases over and resumes them
          await releases.shutdown();
          await core.lifecycle.shutdown();
          signals.stop();
        });
      },
    });
  },
});
