import { defineConfig } from '@playwright/test';
import { prepareE2eRun } from './test/e2e/e2eRun';

// before the web server starts (it starts before globalSetup): the config the
// app of this run starts with, and the auth backend's key pair it names
const configPaths = prepareE2eRun();

/**
 * End-to-end journeys in Debian's Chromium (never a downloaded browser)
 * against the app that `./scripts/start` serves. `./scripts/test` starts it
 * on a throwaway database; locally an already running app is reused. The app
 * runs with the journeys' config layers (test/e2e/e2eRun.ts: a static key
 * pair for signing in a second user, a 1-minute soak before production).
 */
export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  webServer: {
    command: [
      './scripts/start',
      ...configPaths.map(file => `--config '${file}'`),
    ].join(' '),
    url: 'http://localhost:3000',
    reuseExistingServer: true,
    timeout: 600_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
