// recommendations' deploy script (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => {
    const config = k8s.configMap('recommendations-config', {
      MODEL: 'collaborative-filtering',
      MAX_ITEMS: '12',
    });
    return {
      resources: [
        config,
        k8s.statelessService({ port: 8080, replicas: 2, envFrom: [config] }),
      ],
    };
  },
  { namespace: 'discovery' },
);
