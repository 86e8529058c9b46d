/*
 * The throughput benchmarks' load generator — `clients` concurrent HTTP
 * clients posting deploys for `durationMs` — in a child process of its own,
 * so the backend's process only serves the requests (its profile and its
 * CPU are the backend's alone).
 *
 * Each client keeps one keep-alive connection and sends its next request
 * when the previous one is answered. Request i (numbered across all clients)
 * deploys `targets[i % targets.length]` with Idempotency-Key `<keyPrefix><i>`.
 * The parent gets back every accepted (202) deploy id, in order, and the
 * number of other answers and of network errors.
 */
import { fork } from 'child_process';
import http from 'http';

export interface LoadOptions {
  /** e.g. http://127.0.0.1:1234 */
  baseUrl: string;
  clients: number;
  durationMs: number;
  authorization: string;
  environment: string;
  targets: Array<{ entityRef: string; artifactId: string }>;
  keyPrefix: string;
  force?: boolean;
}

export interface LoadResult {
  accepted: string[];
  /** answers other than 202, and network errors */
  errors: number;
  /** a few of the errors, for the log */
  samples: string[];
  /** seconds from the first request to the last answer */
  elapsed: number;
}

/** Marks this module's messages: the TypeScript transform sends the parent `{ type: 'watch' }` messages of its own. */
const TAG = 'sled-bench-load';
const ours = (m: any) => m && typeof m === 'object' && m.tag === TAG;

/** Runs the load in a child process; resolves with what it measured. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = fork(__filename, [], {
    // not process.execArgv: a --cpu-prof of the backend's process is not the client's
    execArgv: [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SLED_BENCH_LOAD_CHILD: '1' },
  });
  return new Promise((resolve, reject) => {
    let result: LoadResult | undefined;
    child.on('message', (m: any) => {
      if (!ours(m)) return;
      if (m.error) reject(new Error(`load clients: ${m.error}`));
      else result = m;
      child.disconnect();
    });
    child.once('error', reject);
    child.once('exit', code =>
      result
        ? resolve(result)
        : reject(new Error(`load clients exited (${code}) without a result`)),
    );
    child.send({ tag: TAG, options });
  });
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const url = new URL('/api/sled/deploys', options.baseUrl);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.clients,
  });
  const post = (i: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const target = options.targets[i % options.targets.length];
      const payload = JSON.stringify({
        entityRef: target.entityRef,
        environment: options.environment,
        artifactId: target.artifactId,
        force: options.force ?? true,
      });
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: options.authorization,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'idempotency-key': `${options.keyPrefix}${i}`,
          },
        },
        res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', c => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const accepted: string[] = [];
  const samples: string[] = [];
  let errors = 0;
  let n = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (Date.now() - start < options.durationMs) {
        const i = n++;
        try {
          const res = await post(i);
          if (res.status === 202) {
            accepted.push(JSON.parse(res.body).id);
            continue;
          }
          errors++;
          if (samples.length < 5)
            samples.push(`${res.status} ${res.body.slice(0, 200)}`);
        } catch (error) {
          errors++;
          if (samples.length < 5) samples.push(String(error));
        }
      }
    }),
  );
  const elapsed = (Date.now() - start) / 1000;
  agent.destroy();
  return { accepted, errors, samples, elapsed };
}

if (require.main === module && process.env.SLED_BENCH_LOAD_CHILD === '1') {
  const start = (m: any) => {
    if (!ours(m)) return;
    process.off('message', start);
    load(m.options as LoadOptions).then(
      result => process.send!({ tag: TAG, ...result }),
      error =>
        process.send!({ tag: TAG, error: String(error?.stack ?? error) }),
    );
  };
  process.on('message', start);
  process.on('disconnect', () => process.exit(0));
}
