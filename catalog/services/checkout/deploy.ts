// checkout's deploy script (see ../cart/deploy.ts for how SLeD runs it).
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => {
    const config = k8s.configMap('checkout-config', {
      CURRENCY: 'EUR',
      CART_URL: 'http://cart.commerce.svc',
      PAYMENTS_URL: 'http://payments.commerce.svc',
    });
    return {
      resources: [
        config,
        k8s.statelessService({
          port: 8080,
          replicas: 3,
          envFrom: [config],
          env: { SESSION_KEY: k8s.secretRef('checkout-session', 'key') },
        }),
      ],
    };
  },
  { namespace: 'commerce' },
);
