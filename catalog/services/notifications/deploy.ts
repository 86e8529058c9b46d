// notifications' deploy script (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => ({
    resources: [
      k8s.statelessService({
        port: 8080,
        envFrom: [k8s.secretEnv('notifications-smtp')],
      }),
      // the morning digest, from the same image
      k8s.cronJob({
        name: 'notifications-digest',
        schedule: '0 7 * * *',
        timeZone: 'Europe/Berlin',
        command: ['node', 'dist/digest.js'],
        envFrom: [k8s.secretEnv('notifications-smtp')],
      }),
    ],
  }),
  { namespace: 'discovery' },
);
