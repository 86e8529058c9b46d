/** The README's stateful service is a complete script, under 30 lines, that renders. */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { contractEnv } from './__testUtils__/fakeCluster.ts';

jest.setTimeout(60_000);

const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
const example =
  /## A stateful service in one script\n\n```ts\n([\s\S]*?)```/.exec(
    readme,
  )![1];

describe('the README', () => {
  it('has a deploy script for a stateful service in under 30 lines', () => {
    expect(example.trimEnd().split('\n').length).toBeLessThan(30);
    expect(example).toContain('statefulService(');
  });

  it('whose script runs: --dry-run renders the StatefulSet, its volume claim and the cron job', () => {
    const dir = mkdtempSync(join(tmpdir(), 'libdeploy-readme-'));
    try {
      const script = join(dir, 'deploy.ts');
      writeFileSync(
        script,
        example.replace(
          "'@internal/libdeploy'",
          JSON.stringify(resolve(__dirname, 'index.ts')),
        ),
      );
      const result = spawnSync(process.execPath, [script, '--dry-run'], {
        env: {
          PATH: process.env.PATH,
          ...contractEnv({ SLED_SERVICE: 'component:default/ledger' }),
        },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      for (const text of [
        'kind: StatefulSet',
        '  volumeClaimTemplates:\n    - metadata:\n        name: data',
        'clusterIP: None',
        'kind: CronJob',
        'name: ledger-compact',
        'key: password',
      ]) {
        expect(result.stdout).toContain(text);
      }
      expect(result.stdout).not.toContain('verify');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
