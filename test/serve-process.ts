// `serve` (src/cli/main.ts) in a child process, for tests and benchmarks that need the system as
// it is deployed: the environment given is all the configuration it gets.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** Where it listens, as its banner says: http://host:port. */
  url: string;
  /** Everything it has printed so far, stdout and stderr. */
  output(): string;
}

/**
 * Starts `serve` and resolves once it prints where it listens; rejects if it exits first. From the
 * TypeScript sources through tsx, or from a build (`entry`: its cli/main.js) with plain node.
 */
export async function startServeProcess(env: Record<string, string | undefined>, options: { entry?: string } = {}): Promise<ServeProcess> {
  const args = options.entry === undefined ? ['--import', 'tsx', 'src/cli/main.ts', 'serve'] : [options.entry, 'serve'];
  const child = spawn(process.execPath, args, { cwd: REPO, env });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API:\s+(http:\/\/\S+)\/api\/v1/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}
