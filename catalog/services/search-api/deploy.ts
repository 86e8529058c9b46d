// search-api's deploy script (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => ({
    resources: [
      k8s.statelessService({
        port: 8080,
        replicas: 2,
        probes: { path: '/ready', livenessPath: '/live' },
        resources: { cpu: '500m', memory: '1Gi', limits: { memory: '2Gi' } },
      }),
    ],
  }),
  { namespace: 'discovery' },
);
