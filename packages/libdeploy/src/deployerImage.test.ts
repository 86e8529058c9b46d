/**
 * The deployer image's libdeploy, built without Docker: what the Dockerfile
 * copies, laid out under a temporary folder outside the repository (so
 * nothing resolves from the repository's node_modules), runs an example
 * deploy.ts the way a deploy Job does.
 */
import { execFileSync, spawn } from 'child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import {
  FakeCluster,
  contractEnv,
  startFakeCluster,
} from './__testUtils__/fakeCluster.ts';

jest.setTimeout(180_000);

const REPO = resolve(__dirname, '../../..');

describe('the deployer image (deploy/deployer/build-libdeploy.sh --root)', () => {
  let root: string;
  let cluster: FakeCluster;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sled-deployer-image-'));
    execFileSync(
      'bash',
      [join(REPO, 'deploy/deployer/build-libdeploy.sh'), '--root', root],
      {
        stdio: 'pipe',
      },
    );
    copyFileSync(
      join(REPO, 'catalog/services/ledger/deploy.ts'),
      join(root, 'deploy/deploy.ts'),
    );
    cluster = await startFakeCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs node in the image's /deploy (not spawnSync: the fake API server answers from this process). */
  const run = (args: string[], env: Record<string, string | undefined>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>(
      done => {
        const child = spawn(process.execPath, args, {
          cwd: join(root, 'deploy'),
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', d => (stdout += d));
        child.stderr.on('data', d => (stderr += d));
        child.on('close', status => done({ status, stdout, stderr }));
      },
    );

  it('lays the bundled library out in /deploy/node_modules, with the command on PATH', async () => {
    const pkg = JSON.parse(
      readFileSync(
        join(root, 'deploy/node_modules/@internal/libdeploy/package.json'),
        'utf8',
      ),
    );
    expect(pkg).toMatchObject({
      name: '@internal/libdeploy',
      type: 'module',
      main: 'index.mjs',
    });
    expect(realpathSync(join(root, 'usr/local/bin/libdeploy'))).toBe(
      realpathSync(
        join(root, 'deploy/node_modules/@internal/libdeploy/bin/libdeploy.mjs'),
      ),
    );
    const help = await run([join(root, 'usr/local/bin/libdeploy'), 'help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('libdeploy run');
  });

  it('renders a deploy.ts without a cluster', async () => {
    const result = await run(
      ['deploy.ts', '--dry-run'],
      contractEnv({ SLED_SERVICE: 'component:default/ledger' }),
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('kind: StatefulSet');
    expect(result.stdout).toContain('rendering only, no diff.');
  });

  it('applies a deploy.ts to a cluster', async () => {
    const image = `registry.example.com/ledger@sha256:${'d'.repeat(64)}`;
    const result = await run(['deploy.ts'], {
      ...contractEnv({
        SLED_SERVICE: 'component:default/ledger',
        SLED_ARTIFACT_IMAGE: image,
      }),
      KUBECONFIG: cluster.kubeconfig,
    });
    expect(result.stdout).toContain('apply: StatefulSet/ledger created');
    expect(result.status).toBe(0);
    expect(
      cluster.fake.resources.get('statefulsets', 'commerce', 'ledger')?.spec
        .template.spec.containers[0].image,
    ).toBe(image);
  });
});
