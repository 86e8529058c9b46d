/*
 * Summarizes a V8 .cpuprofile (node --cpu-prof, or SLED_BENCH_CPU_PROFILE=<dir> yarn bench):
 * self time by package, the top functions by self time, and the inclusive
 * time of this repository's own functions (plugins/*, packages/*).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs test/bench/profileSummary.ts <file.cpuprofile> [requests]
 *
 * With `requests` (how many requests the backend served while profiled), times
 * are also shown per request.
 */
import fs from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `pg`, `@kubernetes/client-node`, `plugins/sled-backend`, `node:internal`, `(garbage collector)` … */
export function packageOf(url: string, functionName: string): string {
  if (!url)
    return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const own = url.match(/\/(plugins|packages|test)\/([^/]+)\//);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return url;
}

export function summarize(profile: Profile, requests?: number): string {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000),
  );
  const total = (profile.endTime - profile.startTime) / 1000;
  const idle = [...self]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((s, [, t]) => s + t, 0);
  const busy = total - idle;

  const add = (m: Map<string, number>, k: string, v: number) =>
    m.set(k, (m.get(k) ?? 0) + v);
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const ownInclusive = new Map<string, number>();
  /** self time of Node core and builtins charged to the nearest package that called them */
  const charged = new Map<string, number>();
  const core = (p: string) =>
    p === 'node (core)' ||
    p === '(native/builtin)' ||
    p === '(root)' ||
    p === '(program)';
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const pkg = packageOf(url, functionName);
    add(packages, pkg, t);
    add(
      functions,
      `${functionName || '(anonymous)'}  [${pkg}${
        url ? ` ${url.split('/').pop()}:${lineNumber + 1}` : ''
      }]`,
      t,
    );
    let owner = pkg;
    for (
      let n: number | undefined = id;
      n !== undefined && core(owner);
      n = parent.get(n)
    ) {
      const f = byId.get(n)!.callFrame;
      owner = packageOf(f.url, f.functionName);
    }
    if (core(owner)) {
      // no package on the stack: name the core function at the bottom of the stack
      let bottom = id;
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const f = byId.get(n)!.callFrame;
        if (f.functionName && f.functionName !== '(root)') bottom = n;
      }
      const f = byId.get(bottom)!.callFrame;
      owner = `node (core), from ${f.functionName}${
        f.url ? ` ${f.url.split('/').pop()}` : ''
      }`;
    }
    add(charged, owner, t);
    // inclusive: every own frame on the stack, counted once per sample stack
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      const p = packageOf(f.url, f.functionName);
      if (!/^(plugins|packages)\//.test(p)) continue;
      const key = `${f.functionName || '(anonymous)'}  [${p} ${f.url
        .split('/')
        .pop()}:${f.lineNumber + 1}]`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(ownInclusive, key, t);
    }
  }
  const perReq = (t: number) =>
    requests ? ` ${(t / requests).toFixed(2).padStart(6)} ms/req` : '';
  const lines = (m: Map<string, number>, count: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([k, t]) =>
          `  ${t.toFixed(0).padStart(7)} ms ${((100 * t) / busy)
            .toFixed(1)
            .padStart(5)}%${perReq(t)}  ${k}`,
      );
  return [
    `profiled ${total.toFixed(0)} ms, busy (not idle) ${busy.toFixed(
      0,
    )} ms = ${((100 * busy) / total).toFixed(0)}% of one core${
      requests
        ? `; ${requests} requests → ${(busy / requests).toFixed(
            2,
          )} ms CPU per request`
        : ''
    }`,
    '',
    'self time by package (% of busy time):',
    ...lines(packages, 30),
    '',
    'self time, Node core and builtins charged to the package that called them:',
    ...lines(charged, 25),
    '',
    'top functions by self time:',
    ...lines(functions, 40),
    '',
    "this repository's functions, inclusive time:",
    ...lines(ownInclusive, 40),
  ].join('\n');
}

if (require.main === module) {
  const [file, requests] = process.argv.slice(2);
  if (!file)
    throw new Error('usage: profileSummary.ts <file.cpuprofile> [requests]');
  console.log(
    summarize(
      JSON.parse(fs.readFileSync(file, 'utf8')),
      requests ? Number(requests) : undefined,
    ),
  );
}
