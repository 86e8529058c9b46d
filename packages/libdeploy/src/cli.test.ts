import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { runCli } from './cli.ts';
import { contractEnv } from './__testUtils__/fakeCluster.ts';

jest.setTimeout(60_000);

describe('the libdeploy command', () => {
  const run = async (
    argv: string[],
    env: Record<string, string | undefined>,
  ) => {
    let output = '';
    const code = await runCli(argv, { env, write: t => (output += t) });
    return { code, output };
  };

  it('prints the contract of the environment, or what is missing', async () => {
    const ok = await run(['contract'], contractEnv());
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.output)).toMatchObject({
      serviceName: 'cart',
      environment: 'staging',
    });
    const missing = await run(['contract'], {});
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('SLED_DEPLOY_ID, SLED_SERVICE');
  });

  it('runs a script with a made-up contract for trying it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'libdeploy-cli-'));
    try {
      mkdirSync(join(dir, 'billing'));
      const script = join(dir, 'billing', 'deploy.ts');
      writeFileSync(
        script,
        `import { deploy } from ${JSON.stringify(
          resolve(__dirname, 'index.ts'),
        )};
deploy(({ k8s, contract }) => ({ resources: [k8s.configMap(contract.serviceName + '-config', { ENV: contract.environment })] }));
`,
      );
      // the child writes to the inherited stdout: its exit code says it ran and rendered
      const code = await runCli(['run', '--example', script, '--dry-run'], {
        env: { PATH: process.env.PATH, SLED_ENVIRONMENT: 'qa' },
        write: () => {},
        stdio: 'ignore',
      });
      expect(code).toBe(0);
      // without --example the contract is missing: the script exits 1
      expect(
        await runCli(['run', script], {
          env: { PATH: process.env.PATH },
          write: () => {},
          stdio: 'ignore',
        }),
      ).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains itself', async () => {
    expect((await run(['help'], {})).output).toContain('libdeploy contract');
    expect((await run(['frobnicate'], {})).code).toBe(2);
  });
});
