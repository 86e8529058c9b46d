// payments' deploy script (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => ({
    resources: [
      k8s.statelessService({
        port: 8080,
        replicas: 3,
        env: {
          LEDGER_URL: 'http://ledger.commerce.svc:8080',
          CARD_API_KEY: k8s.secretRef('payments-card-api', 'key'),
        },
        resources: {
          cpu: '200m',
          memory: '256Mi',
          limits: { memory: '512Mi' },
        },
      }),
      // the nightly reconciliation with the card processor
      k8s.cronJob({
        name: 'payments-reconcile',
        schedule: '30 2 * * *',
        command: ['node', 'dist/reconcile.js'],
        env: { CARD_API_KEY: k8s.secretRef('payments-card-api', 'key') },
      }),
    ],
  }),
  { namespace: 'commerce' },
);
