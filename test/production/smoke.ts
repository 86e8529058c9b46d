/*
 * The production smoke's checks. TEST-ONLY: ./scripts/production-smoke runs
 * this once it has done what packages/backend/Dockerfile does (the skeleton's
 * production dependencies installed in a fresh folder, the bundle and the
 * config unpacked beside them); the folder is argv[2].
 *
 * It starts the fake Kubernetes API (test/kubernetes) in a process of its own
 * as the staging and production clusters, starts the bundled backend on
 * PostgreSQL with app-config.yaml + app-config.production.yaml (fed through
 * environment variables only) + app-config.smoke.yaml, checks what production
 * promises, prints a table and exits 1 when a check failed.
 */
import { generateKeyPairSync, randomBytes } from 'crypto';
import fs from 'fs';
import net from 'net';
import path from 'path';
// eslint-disable-next-line @backstage/no-undeclared-imports
import yaml from 'yaml';
import { FakeKubernetesProcess } from '../kubernetes/fakeKubernetesProcess';
import { ProductionBackend } from './ProductionBackend';
import { TestSignIn } from './TestSignIn';
import { rbacOf, roleRules } from './kubernetesRbac';
import { findCast, refOf } from './catalogCast';

type Obj = Record<string, any>;

interface Result {
  check: string;
  expected: string;
  got: string;
  ok: boolean;
}

interface Person {
  ref: string;
  token: string;
}

const KEY_ID = 'sled-production-smoke';
const READINESS = '/.backstage/health/v1/readiness';
const LIVENESS = '/.backstage/health/v1/liveness';
const results: Result[] = [];
/** what main() started, for the signal handlers */
const running: { backend?: ProductionBackend; fake?: FakeKubernetesProcess } =
  {};

function record(check: string, expected: string, got: string, ok: boolean) {
  results.push({ check, expected, got, ok });
  const mark = ok ? 'PASS' : 'FAIL';
  process.stdout.write(`  ${mark}  ${check}: ${got}\n`);
}

/** Runs one check; a check that throws fails with the error as what it got. */
async function check(
  name: string,
  expected: string,
  run: () => Promise<{ got: string; ok: boolean }>,
) {
  try {
    const { got, ok } = await run();
    record(name, expected, got, ok);
  } catch (error) {
    record(name, expected, `error: ${(error as Error).message}`, false);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The `sled.dev/deploy-command` annotation as argv (a JSON array, or split on whitespace). */
function argvOf(command: string): string[] {
  const text = command.trim();
  return text.startsWith('[') ? JSON.parse(text) : text.split(/\s+/);
}

async function main() {
  const appDir = path.resolve(process.argv[2] ?? '');
  const workDir = requireEnv('SLED_SMOKE_WORK_DIR');
  if (!fs.existsSync(path.join(appDir, 'packages/backend/package.json'))) {
    throw new Error(
      `${appDir} holds no unpacked bundle (packages/backend/package.json)`,
    );
  }
  const production = yaml.parse(
    fs.readFileSync(path.join(appDir, 'app-config.production.yaml'), 'utf8'),
  );
  const staging = (production.sled.environments as Obj[]).find(
    e => e.name === 'staging',
  );
  if (!staging || staging.executor !== 'kubernetes') {
    throw new Error(
      'app-config.production.yaml has no staging environment on the kubernetes executor',
    );
  }

  // the key pair of the auth backend's static key store (app-config.smoke.yaml)
  const keyDir = path.join(workDir, 'keys');
  fs.mkdirSync(keyDir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  fs.writeFileSync(
    path.join(keyDir, 'public.pem'),
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  fs.writeFileSync(
    path.join(keyDir, 'private.pem'),
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );

  const fake = await FakeKubernetesProcess.start();
  running.fake = fake;
  let backend: ProductionBackend | undefined;
  try {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const ciToken = randomBytes(24).toString('base64url');
    const defaultDeployerImage = 'registry.example.com/sled/deployer:smoke';
    const clusterEnv = (name: string) => ({
      [`K8S_${name}_URL`]: fake.url,
      [`K8S_${name}_TOKEN`]: fake.token,
      [`K8S_${name}_CA_DATA`]: fake.caData,
    });
    // every variable the production config reads (README "Production"), and nothing from this shell
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? workDir,
      NODE_ENV: 'production',
      APP_BASE_URL: baseUrl,
      BACKEND_BASE_URL: baseUrl,
      POSTGRES_HOST: requireEnv('POSTGRES_HOST'),
      POSTGRES_PORT: requireEnv('POSTGRES_PORT'),
      POSTGRES_USER: requireEnv('POSTGRES_USER'),
      POSTGRES_PASSWORD: requireEnv('POSTGRES_PASSWORD'),
      SLED_CI_TOKEN: ciToken,
      AUTH_GOOGLE_CLIENT_ID: 'sled-production-smoke.apps.googleusercontent.com',
      AUTH_GOOGLE_CLIENT_SECRET: randomBytes(16).toString('hex'),
      SLED_DEFAULT_DEPLOYER_IMAGE: defaultDeployerImage,
      ...clusterEnv('STAGING'),
      ...clusterEnv('PRODUCTION'),
      // app-config.smoke.yaml
      SLED_SMOKE_PORT: String(port),
      SLED_SMOKE_DATABASE_PREFIX: requireEnv('SLED_SMOKE_DATABASE_PREFIX'),
      SLED_SMOKE_KEY_DIR: keyDir,
    };

    const startedAt = Date.now();
    backend = ProductionBackend.start({
      appDir,
      configs: [
        'app-config.yaml',
        'app-config.production.yaml',
        path.resolve(__dirname, 'app-config.smoke.yaml'),
      ],
      env,
      baseUrl,
      logFile: path.join(workDir, 'backend.log'),
      pidFile: path.join(workDir, 'backend.pid'),
    });
    running.backend = backend;
    await backend.waitUntilReady(READINESS, 180_000);
    process.stdout.write(
      `  backend ready on ${baseUrl} in ${(
        (Date.now() - startedAt) /
        1000
      ).toFixed(1)} s (log: ${path.join(workDir, 'backend.log')})\n\n`,
    );

    const signIn = new TestSignIn({
      privateKey,
      keyId: KEY_ID,
      issuer: `${baseUrl}/api/auth`,
      authDatabase: {
        host: env.POSTGRES_HOST,
        port: Number(env.POSTGRES_PORT),
        user: env.POSTGRES_USER,
        password: env.POSTGRES_PASSWORD,
        // the auth plugin's database (backend.database.prefix + plugin id)
        database: `${env.SLED_SMOKE_DATABASE_PREFIX}auth`,
      },
    });
    try {
      await runChecks({
        baseUrl,
        ciToken,
        fake,
        signIn,
        namespace: staging.namespace,
        defaultDeployerImage,
      });
    } finally {
      await signIn.close();
    }
  } finally {
    const failed = results.some(r => !r.ok) || results.length === 0;
    if (failed && backend) {
      process.stdout.write(
        `\n  the backend's last warnings and errors:\n${backend
          .tail(20, line => !line.includes('"level":"info"'))
          .replace(/^/gm, '    ')}\n`,
      );
    }
    await backend?.stop();
    await fake.stop();
  }
}

interface Context {
  baseUrl: string;
  ciToken: string;
  fake: FakeKubernetesProcess;
  signIn: TestSignIn;
  namespace: string;
  defaultDeployerImage: string;
}

async function runChecks(ctx: Context) {
  const { baseUrl, ciToken, fake } = ctx;

  const call = async (
    method: string,
    route: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...(options.body !== undefined && {
          'content-type': 'application/json',
        }),
        ...options.headers,
      },
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  const status = (s: number, json?: any) =>
    json?.error?.message
      ? `${s} (${String(json.error.message).slice(0, 100)})`
      : String(s);

  const person = async (ref: string, ownership: string[]): Promise<Person> => ({
    ref,
    token: await ctx.signIn.signIn(ref, ownership),
  });

  // ------------------------------------------------------------ routes anyone may reach
  process.stdout.write('  routes and health\n');
  await check(`GET ${READINESS} (the Deployment's probes)`, '200', async () => {
    const r = await call('GET', READINESS);
    return { got: String(r.status), ok: r.status === 200 };
  });
  await check(`GET ${LIVENESS}`, '200', async () => {
    const r = await call('GET', LIVENESS);
    return { got: String(r.status), ok: r.status === 200 };
  });
  await check('GET /api/sled/health without a token', '200 ok', async () => {
    const r = await call('GET', '/api/sled/health');
    return {
      got: `${r.status} ${r.json?.status ?? r.text.slice(0, 60)}`,
      ok: r.status === 200 && r.json?.status === 'ok',
    };
  });
  await check('GET / serves the frontend', '200 text/html', async () => {
    const r = await call('GET', '/');
    const type = r.headers.get('content-type') ?? '';
    return {
      got: `${r.status} ${type.split(';')[0]}`,
      ok: r.status === 200 && type.startsWith('text/html'),
    };
  });
  await check(
    "the frontend's config offers no guest sign-in",
    'app.signIn.guest false',
    async () => {
      const r = await call('GET', '/');
      const injected = r.text.match(
        /<script type="backstage.io\/config">([\s\S]*?)<\/script>/,
      );
      if (!injected) return { got: 'no config in index.html', ok: false };
      const guest = (JSON.parse(injected[1]) as Obj[])
        .map(c => c.data?.app?.signIn?.guest)
        .filter(v => v !== undefined)
        .pop();
      return { got: `app.signIn.guest ${guest}`, ok: guest === false };
    },
  );
  await check('GET /api/sled/openapi.json without a token', '401', async () => {
    const r = await call('GET', '/api/sled/openapi.json');
    return { got: String(r.status), ok: r.status === 401 };
  });
  await check('GET /api/sled/deploys without a token', '401', async () => {
    const r = await call('GET', '/api/sled/deploys');
    return { got: String(r.status), ok: r.status === 401 };
  });

  // ------------------------------------------------------------ sign-in
  process.stdout.write('\n  sign-in\n');
  await check(
    'guest sign-in (GET /api/auth/guest/refresh)',
    'refused, no token',
    async () => {
      const r = await call('GET', '/api/auth/guest/refresh?env=production', {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      const token = r.json?.backstageIdentity?.token;
      return {
        got: `${status(r.status, r.json)}${token ? ', a token' : ''}`,
        ok: r.status >= 400 && !token,
      };
    },
  );
  await check(
    'Google sign-in (GET /api/auth/google/start)',
    '302 to accounts.google.com',
    async () => {
      const r = await call('GET', '/api/auth/google/start?env=production', {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      const location = r.headers.get('location') ?? '';
      let host = '';
      try {
        host = new URL(location).host;
      } catch {
        host = location || '(no location)';
      }
      return {
        got: `${r.status} to ${host}`,
        ok: r.status === 302 && host === 'accounts.google.com',
      };
    },
  );

  // ------------------------------------------------------------ who is who, from the catalog
  // Any user token reads the catalog (the policy leaves other plugins alone);
  // this one only finds a deployable service, a member of its owning team and
  // a member of another team, as the sign-in resolver would see them.
  const reader = await person('user:default/sled-production-smoke', [
    'user:default/sled-production-smoke',
  ]);
  const cast = await findCast(call, reader.token);
  if (!cast) {
    record(
      'the catalog holds a deployable service, its owning team and another team',
      'found',
      'not found within 120 s',
      false,
    );
    return;
  }
  const owner = await person(cast.owner.ref, cast.owner.ownership);
  const outsider = await person(cast.outsider.ref, cast.outsider.ownership);
  const service = cast.service;
  const serviceRef = refOf(service);
  process.stdout.write(
    `\n  cast from the catalog: ${serviceRef} (owned by ${cast.ownerRef}); ${owner.ref} owns it, ${outsider.ref} does not\n`,
  );

  await check(
    'GET /api/sled/openapi.json as a signed-in user',
    '200, OpenAPI 3.1',
    async () => {
      const r = await call('GET', '/api/sled/openapi.json', {
        token: owner.token,
      });
      return {
        got: `${status(r.status, r.json)}, OpenAPI ${r.json?.openapi}, ${
          Object.keys(r.json?.paths ?? {}).length
        } paths`,
        ok:
          r.status === 200 &&
          String(r.json?.openapi).startsWith('3.1') &&
          '/api/sled/deploys' in (r.json?.paths ?? {}),
      };
    },
  );

  // ------------------------------------------------------------ the CI token
  process.stdout.write('\n  the CI token (SLED_CI_TOKEN)\n');
  const artifactBody = {
    entityRef: serviceRef,
    version: `0.0.0-smoke.${Date.now()}`,
    commitSha: randomBytes(20).toString('hex'),
    image: `registry.example.com/${service.metadata.name}:smoke`,
  };
  let artifactId: string | undefined;
  await check('CI registers an artifact (POST /artifacts)', '201', async () => {
    const r = await call('POST', '/api/sled/artifacts', {
      token: ciToken,
      body: artifactBody,
    });
    artifactId = r.json?.id;
    return { got: status(r.status, r.json), ok: r.status === 201 };
  });
  await check(
    'CI registers the same artifact again',
    '200, same id',
    async () => {
      const r = await call('POST', '/api/sled/artifacts', {
        token: ciToken,
        body: artifactBody,
      });
      return {
        got: `${status(r.status, r.json)}${
          r.json?.id === artifactId ? ', same id' : `, id ${r.json?.id}`
        }`,
        ok: r.status === 200 && r.json?.id === artifactId,
      };
    },
  );
  const deployBody = {
    entityRef: serviceRef,
    environment: 'staging',
    artifactId,
    reason: 'production smoke',
  };
  await check('CI deploys (POST /deploys)', '403', async () => {
    const r = await call('POST', '/api/sled/deploys', {
      token: ciToken,
      body: deployBody,
    });
    return { got: status(r.status, r.json), ok: r.status === 403 };
  });
  await check('CI reads deploys (GET /deploys)', '403', async () => {
    const r = await call('GET', '/api/sled/deploys', { token: ciToken });
    return { got: status(r.status, r.json), ok: r.status === 403 };
  });
  await check('CI locks staging (POST /locks)', '403', async () => {
    const r = await call('POST', '/api/sled/locks', {
      token: ciToken,
      body: { environment: 'staging', reason: 'production smoke' },
    });
    return { got: status(r.status, r.json), ok: r.status === 403 };
  });
  await check(
    'CI reads the catalog (GET /api/catalog/entities)',
    '401 or 403',
    async () => {
      const r = await call('GET', '/api/catalog/entities?limit=1', {
        token: ciToken,
      });
      return {
        got: status(r.status, r.json),
        ok: r.status === 401 || r.status === 403,
      };
    },
  );

  // ------------------------------------------------------------ a deploy by a signed-in user
  process.stdout.write(
    `\n  a deploy to staging (namespace ${ctx.namespace} of the fake cluster)\n`,
  );
  const jobsBefore = await fake.createdJobs();
  await check(
    `${outsider.ref} (not an owner) deploys ${service.metadata.name} to staging`,
    '403, no Job',
    async () => {
      const r = await call('POST', '/api/sled/deploys', {
        token: outsider.token,
        body: deployBody,
      });
      const jobs = (await fake.createdJobs()) - jobsBefore;
      return {
        got: `${status(r.status, r.json)}, ${jobs} Job(s)`,
        ok: r.status === 403 && jobs === 0,
      };
    },
  );
  let deploy: Obj | undefined;
  await check(
    `${owner.ref} (owner) deploys ${service.metadata.name} to staging`,
    '202, requested by the user',
    async () => {
      const r = await call('POST', '/api/sled/deploys', {
        token: owner.token,
        body: deployBody,
      });
      deploy = r.status === 202 ? r.json : undefined;
      return {
        got: `${status(r.status, r.json)}${
          deploy ? `, ${deploy.status}, requested by ${deploy.requestedBy}` : ''
        }`,
        ok: r.status === 202 && deploy?.requestedBy === owner.ref,
      };
    },
  );
  if (!deploy) return;
  const deployId: string = deploy.id;
  const jobName = `sled-${deployId.replace(/-/g, '').slice(0, 20)}`;
  const annotations = service.metadata.annotations ?? {};
  const expectedImage =
    annotations['sled.dev/deployer-image'] ?? ctx.defaultDeployerImage;
  const expectedCommand = argvOf(annotations['sled.dev/deploy-command']);
  await check(
    `the deploy becomes Job ${ctx.namespace}/${jobName} in the fake cluster`,
    `the Job, image ${expectedImage}`,
    async () => {
      const job = await fake.waitForJob(ctx.namespace, jobName, 20_000);
      if (!job) return { got: 'no Job within 20 s', ok: false };
      const container = job.spec?.template?.spec?.containers?.[0] ?? {};
      const envOf = (name: string) =>
        (container.env ?? []).find((e: Obj) => e.name === name)?.value;
      const problems = [
        job.metadata?.labels?.['sled.dev/deploy-id'] !== deployId &&
          'deploy-id label',
        job.metadata?.labels?.['sled.dev/environment'] !== 'staging' &&
          'environment label',
        container.image !== expectedImage && `image ${container.image}`,
        JSON.stringify(container.command) !== JSON.stringify(expectedCommand) &&
          `command ${JSON.stringify(container.command)}`,
        envOf('SLED_DEPLOY_ID') !== deployId && 'SLED_DEPLOY_ID',
        envOf('SLED_ARTIFACT_VERSION') !== artifactBody.version &&
          'SLED_ARTIFACT_VERSION',
        job.spec?.backoffLimit !== 0 && 'backoffLimit',
      ].filter(Boolean);
      return {
        got: problems.length
          ? `the Job, but: ${problems.join(', ')}`
          : `the Job, image ${
              container.image
            }, command ${container.command.join(' ')}`,
        ok: problems.length === 0,
      };
    },
  );
  await check(
    'the Job completes and the deploy ends',
    'succeeded, its log recorded',
    async () => {
      const deadline = Date.now() + 30_000;
      let current: Obj | undefined;
      while (Date.now() < deadline) {
        current = (
          await call('GET', `/api/sled/deploys/${deployId}`, {
            token: owner.token,
          })
        ).json;
        if (
          current &&
          !['queued', 'running', 'awaiting_approval'].includes(current.status)
        )
          break;
        await sleep(250);
      }
      const log = await call('GET', `/api/sled/deploys/${deployId}/logs`, {
        token: owner.token,
      });
      const lines = log.text.trim().split('\n').filter(Boolean);
      return {
        got: `${current?.status ?? 'unknown'}, ${lines.length} log line(s)${
          lines.length
            ? ` ending "${lines[lines.length - 1].slice(0, 40)}"`
            : ''
        }`,
        ok: current?.status === 'succeeded' && log.text.includes('done'),
      };
    },
  );
  await check('Jobs created in the fake cluster', '1', async () => {
    const jobs = (await fake.createdJobs()) - jobsBefore;
    return { got: String(jobs), ok: jobs === 1 };
  });
  await check(
    "the backend's Kubernetes requests, against deploy/kubernetes",
    `all in ${ctx.namespace}, allowed by Role sled-deployer`,
    async () => {
      const kinds = await fake.requestKinds(0);
      const total = Object.values(kinds).reduce((a, b) => a + b, 0);
      let inNamespace = 0;
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        inNamespace += await fake.countRequests(
          method,
          `/namespaces/${ctx.namespace}/`,
        );
      }
      const role = roleRules(
        path.resolve(
          __dirname,
          '../../deploy/kubernetes/deploy-namespace.yaml',
        ),
        ctx.namespace,
        'sled-deployer',
      );
      const refused = Object.keys(kinds)
        .map(kind => ({ kind, ...rbacOf(kind) }))
        .filter(
          ({ resource, verb }) =>
            !role.some(
              rule =>
                rule.resources.includes(resource) && rule.verbs.includes(verb),
            ),
        )
        .map(({ kind, resource, verb }) => `${kind} (${verb} ${resource})`);
      const used = [
        ...new Set(
          Object.keys(kinds).map(kind => {
            const { resource, verb } = rbacOf(kind);
            return `${verb} ${resource}`;
          }),
        ),
      ].sort();
      return {
        got:
          refused.length || inNamespace !== total
            ? `${total - inNamespace} request(s) outside ${
                ctx.namespace
              }; not allowed: ${refused.join(', ') || 'none'}`
            : `${total} requests (${used.join(', ')}), all allowed`,
        ok: refused.length === 0 && inNamespace === total && total > 0,
      };
    },
  );
}

function printTable() {
  const width = Math.max(...results.map(r => r.check.length), 5);
  const expectedWidth = Math.max(...results.map(r => r.expected.length), 8);
  const line = (a: string, b: string, c: string, d: string) =>
    `  ${a.padEnd(4)}  ${b.padEnd(width)}  ${c.padEnd(expectedWidth)}  ${d}`;
  process.stdout.write(`\n${line('', 'check', 'expected', 'got')}\n`);
  process.stdout.write(
    `${line(
      '',
      '-'.repeat(width),
      '-'.repeat(expectedWidth),
      '-'.repeat(20),
    )}\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `${line(r.ok ? 'PASS' : 'FAIL', r.check, r.expected, r.got)}\n`,
    );
  }
  const failed = results.filter(r => !r.ok).length;
  process.stdout.write(
    `\n  ${results.length - failed} of ${results.length} checks passed${
      failed ? `, ${failed} FAILED` : ''
    }\n`,
  );
}

// Ctrl-C or a CI timeout: stop what this started before going (the calling script's trap removes the rest)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    process.stdout.write(`\n  ${signal}: stopping\n`);
    setTimeout(() => process.exit(130), 25_000).unref();
    await running.backend?.stop(5_000);
    await running.fake?.stop();
    process.exit(130);
  });
}

main()
  .then(() => {
    printTable();
    process.exit(results.length > 0 && results.every(r => r.ok) ? 0 : 1);
  })
  .catch(error => {
    if (results.length) printTable();
    process.stderr.write(
      `\n  production smoke failed: ${error.stack ?? error}\n`,
    );
    process.exit(1);
  });
