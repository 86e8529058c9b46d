/**
 * The `libdeploy` command: run a deploy script by hand (with a made-up
 * contract for trying it on a laptop), or print the contract of the
 * environment.
 */
import { spawn } from 'child_process';
import { resolve } from 'path';
import {
  CONTRACT_VARIABLES,
  exampleContractEnvironment,
  readContract,
} from './contract.ts';

/** @public */
export const CLI_USAGE = `usage:
  libdeploy run [--example[=<entity ref>]] <deploy.ts> [--dry-run | --validate]
      runs a deploy script with this Node; --example fills in the SLED_* variables that are
      not set with a made-up deploy (the service from --example, else the script's folder)
  libdeploy contract
      prints the deploy contract read from the SLED_* variables, or what is missing
  libdeploy help`;

/**
 * Runs the `libdeploy` command; resolves with its exit code.
 *
 * @public
 */
export async function runCli(
  argv: string[],
  io: {
    env?: Record<string, string | undefined>;
    write?: (text: string) => void;
    /** the script's output: this process's (default), or none */
    stdio?: 'inherit' | 'ignore';
  } = {},
): Promise<number> {
  const env = io.env ?? process.env;
  const write = io.write ?? ((t: string) => void process.stdout.write(t));
  const [command, ...rest] = argv;
  if (command === 'contract') {
    try {
      write(`${JSON.stringify(readContract(env), null, 2)}\n`);
      return 0;
    } catch (error) {
      write(`${(error as Error).message}\n`);
      return 1;
    }
  }
  if (command === 'run') {
    let example: string | undefined;
    const args = [...rest];
    while (args[0]?.startsWith('--example')) {
      const value = args.shift()!.split('=')[1];
      example = value ?? '';
    }
    const script = args.shift();
    if (!script) {
      write(`${CLI_USAGE}\n`);
      return 2;
    }
    const path = resolve(script);
    const childEnv: Record<string, string | undefined> = { ...env };
    if (example !== undefined) {
      const service = example || path.split('/').slice(-2, -1)[0] || 'example';
      Object.assign(childEnv, exampleContractEnvironment(service, env));
      write(
        `libdeploy: a made-up contract for ${childEnv.SLED_SERVICE} (${
          CONTRACT_VARIABLES.filter(v => !env[v]).join(', ') || 'none'
        } filled in)\n`,
      );
    }
    return new Promise(resolveExit => {
      const child = spawn(process.execPath, [path, ...args], {
        env: childEnv as NodeJS.ProcessEnv,
        stdio: io.stdio ?? 'inherit',
      });
      child.on('error', error => {
        write(`libdeploy: could not run ${path}: ${error.message}\n`);
        resolveExit(1);
      });
      child.on('close', code => resolveExit(code ?? 1));
    });
  }
  write(`${CLI_USAGE}\n`);
  return command === 'help' || command === '--help' || !command ? 0 : 2;
}
