/*
 * What the app of an e2e run is started with, made before it starts.
 * TEST-ONLY: playwright.config.ts calls prepareE2eRun() and starts
 * ./scripts/start with the config files it returns.
 */
import {
  KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import YAML from 'yaml';

/** `auth.keyStore.static.keys[].keyId` in app-config.e2e.yaml */
export const E2E_KEY_ID = 'sled-e2e';
/** the soak of every promotion during an e2e run (app-config.yaml: 30m) */
export const E2E_SOAK = '1m';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Makes the run's directory (`SLED_E2E_RUN_DIR`) and returns the config files
 * the app starts with: app-config.yaml, then test/e2e/app-config.e2e.yaml (the
 * auth backend's static key pair, which is written here, so a journey can
 * sign in a second catalog user: E2eSignIn), then a layer made here from
 * app-config.yaml's `sled.environments` with every promotion's soak
 * shortened to E2E_SOAK (a config array is replaced, not merged, so it is
 * copied rather than written twice by hand).
 *
 * Called where the config is loaded: in the runner before the web server
 * starts (it starts before globalSetup), and again in every worker, which
 * inherits the runner's environment and so finds the same directory. A
 * directory made here is removed when the process that made it exits; one
 * given in `SLED_E2E_RUN_DIR` is kept.
 */
export function prepareE2eRun(): string[] {
  let dir = process.env.SLED_E2E_RUN_DIR;
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sled-e2e-run-'));
    const made = dir;
    process.on('exit', () => fs.rmSync(made, { recursive: true, force: true }));
    process.env.SLED_E2E_RUN_DIR = dir;
  }
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'private.pem'))) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    });
    fs.writeFileSync(
      path.join(dir, 'public.pem'),
      publicKey.export({ type: 'spki', format: 'pem' }),
    );
    fs.writeFileSync(
      path.join(dir, 'private.pem'),
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
  }

  const development = YAML.parse(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
  );
  const environments = (development.sled?.environments ?? []).map(
    (env: { promotion?: Record<string, unknown> }) =>
      env.promotion
        ? { ...env, promotion: { ...env.promotion, soak: E2E_SOAK } }
        : env,
  );
  const soakLayer = path.join(dir, 'app-config.e2e-soak.yaml');
  fs.writeFileSync(
    soakLayer,
    `# TEST-ONLY, made by test/e2e/e2eRun.ts: app-config.yaml's environments with a ${E2E_SOAK} soak\n${YAML.stringify(
      { sled: { environments } },
    )}`,
  );
  return [
    path.join(ROOT, 'app-config.yaml'),
    path.join(ROOT, 'test/e2e/app-config.e2e.yaml'),
    soakLayer,
  ];
}

/** The key pair of this run, as prepareE2eRun wrote it. */
export function readE2eAuthKeys(): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  const dir = process.env.SLED_E2E_RUN_DIR;
  if (!dir) {
    throw new Error(
      'SLED_E2E_RUN_DIR is not set: run the journeys with playwright.config.ts',
    );
  }
  return {
    privateKey: createPrivateKey(
      fs.readFileSync(path.join(dir, 'private.pem')),
    ),
    publicKey: createPublicKey(fs.readFileSync(path.join(dir, 'public.pem'))),
  };
}
