// cart's deploy script. SLeD runs it as `node deploy.ts` (sled.dev/deploy-command) in this
// folder (local executor) or in cart's deployer image (Kubernetes executor), with the deploy
// contract in SLED_* variables. Try it: `libdeploy run --example deploy.ts --dry-run`.
import { deploy } from '@internal/libdeploy';

deploy(
  ({ k8s }) => ({
    resources: [k8s.statelessService({ port: 8080, replicas: 2 })],
  }),
  { namespace: 'commerce' },
);
