// ledger's deploy script: a stateful service (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => ({
    resources: [
      k8s.statefulService({
        port: 8080,
        replicas: 3,
        volumes: [{ name: 'data', mountPath: '/var/lib/ledger', size: '10Gi' }],
        env: { LEDGER_DATA: '/var/lib/ledger' },
        resources: { cpu: '250m', memory: '512Mi', limits: { memory: '1Gi' } },
      }),
    ],
  }),
  { namespace: 'commerce' },
);
