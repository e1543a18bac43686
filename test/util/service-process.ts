import { type ChildProcess, spawn } from 'node:child_process';

/** A compiled service running as a child process (see {@link spawnService}). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Its base URL, once it printed "listening on"; rejects if it exits first. */
  readonly url: Promise<string>;
  /** How it ended: the exit code, or the signal that killed it. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

/**
 * Starts the compiled service `entry` (from `compileFixture('src/main.ts', …)`) with `env` as its
 * whole environment (see `childServiceEnv`). The caller kills it.
 *
 * @example
 * ```ts
 * const a = spawnService(entry, childServiceEnv({ ...kafkaServiceEnv(app, 4), PORT: '0' }));
 * const url = await a.url;
 * a.child.kill('SIGTERM');
 * expect((await a.exit).code).toBe(0);
 * ```
 */
export function spawnService(entry: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then(({ code, signal }) =>
      reject(new Error(`exited (${code ?? signal}) before listening:\n${out}`)),
    );
  });
  url.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
  return { child, url, exit, output: () => out };
}
