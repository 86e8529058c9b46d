import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: Google in production, guest in development (app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-google-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog: the example organisation lives in catalog/
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// the DeployGroup kind (sled.dev/v1alpha1): deploy groups live in catalog/deploy-groups/
backend.add(
  import('@internal/plugin-catalog-backend-module-sled-deploy-groups'),
);

// permission framework
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@internal/plugin-permission-backend-module-sled-policy'));

// search: the in-memory engine unless the database is PostgreSQL
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
// recent deploys: documents of type sled-deploy (search.collators.sledDeploys)
backend.add(import('@internal/plugin-search-backend-module-sled-deploys'));

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// scaffolder: templates in catalog/templates/ deploy and release with SLeD
// (sled:deploy, sled:release: as the user who runs them, waiting for the outcome)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@internal/plugin-scaffolder-backend-module-sled'));

// SLeD: service-level deploys
backend.add(import('@internal/plugin-sled-backend'));
// the ci-status deploy check: environments listing it refuse artifacts whose CI checks did not pass
backend.add(import('@internal/plugin-sled-backend-module-ci-status'));

backend.start();
