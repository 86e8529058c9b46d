import fs from 'fs';
import os from 'os';
import path from 'path';

/** State letter of a process from /proc (Linux), or undefined when it is gone. */
function processState(
  pid: number,
): { state: string; pgrp: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parens
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const s = processState(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export function liveProcessesInGroup(pgid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter(name => /^\d+$/.test(name))
    .map(Number)
    .filter(pid => {
      const s = processState(pid);
      return (
        s !== undefined && s.pgrp === pgid && s.state !== 'Z' && s.state !== 'X'
      );
    });
}

/** Polls `check` until it stops throwing; rethrows its last error after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
  }
}

/** A temporary directory, removed by the returned cleanup. */
export function makeTempDir(prefix = 'sled-test-'): {
  dir: string;
  cleanup: () => void;
} {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return {
    dir,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes an executable shell script and returns its absolute path. */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}
