import { ConfigReader } from '@backstage/config';
import { readSledConfig } from '../../config';
import { buildJob } from './jobSpec';

const job = {
  deploy: {
    id: '3f2c9a1e-5b7d-4c8e-9f10-2a3b4c5d6e7f',
    entityRef: 'component:default/payments',
    environment: 'production',
    artifactId: 'a1',
    artifactVersion: '1.4.2',
    status: 'running' as const,
    dryRun: false,
    force: false,
    requestedBy: 'user:default/alice',
    createdAt: '2026-12-08T10:00:00.000Z',
  },
  artifact: {
    id: 'a1',
    entityRef: 'component:default/payments',
    version: '1.4.2',
    commitSha: 'abcdef1',
    createdAt: '2026-12-08T09:00:00.000Z',
  },
  environment: {
    name: 'production',
    executor: 'kubernetes',
    requireReason: true,
    checks: [],
  },
  launch: { command: ['node', 'deploy.ts'], image: 'ghcr.io/x/d@sha256:1' },
};

const settings = (kubernetes: object = {}) =>
  readSledConfig(new ConfigReader({ sled: { kubernetes } })).kubernetes;

describe('the Job of a deploy', () => {
  it('runs as the configured service account, so a deploy script may apply with its Role', () => {
    const { body } = buildJob(
      job,
      settings({ serviceAccountName: 'sled-deployer' }),
    );
    expect(body.spec!.template.spec!.serviceAccountName).toBe('sled-deployer');
    const plain = buildJob(job, settings()).body;
    expect(plain.spec!.template.spec!.serviceAccountName).toBeUndefined();
  });

  it('refuses a service account name Kubernetes would refuse, naming the key', () => {
    expect(() => settings({ serviceAccountName: 'Sled Deployer' })).toThrow(
      "Invalid config at sled.kubernetes.serviceAccountName: 'Sled Deployer' must be a lower-case DNS name, e.g. sled-deployer",
    );
  });
});
