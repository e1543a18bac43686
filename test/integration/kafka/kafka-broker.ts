/**
 * A real, single-node Apache Kafka broker (KRaft, `process.roles=broker,controller`) for the integration
 * tests, run from its Maven Central jars with the machine's Java 17.
 *
 * This module has no vitest import: the global setup, the test-side `broker-control.ts` and the
 * command line wrapper `broker-cli.mjs` all use it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The Kafka version used when `KAFKA_VERSION` is not set: the newest 4.x on Maven Central that the
 * suite was run against. `KAFKA_VERSION=3.9.2` runs the suite on the last 3.x line.
 */
export const DEFAULT_KAFKA_VERSION = '4.4.0';

/** Everything needed to find, stop and restart a broker, also written as JSON to its state file. */
export interface KafkaBrokerState {
  /** Kafka version, e.g. `4.4.0`. */
  readonly version: string;
  /** Process id of the running `java ... kafka.Kafka` process (0 when stopped). */
  pid: number;
  /** Port of the PLAINTEXT (client) listener on 127.0.0.1. */
  readonly port: number;
  /** Port of the CONTROLLER listener on 127.0.0.1. */
  readonly controllerPort: number;
  /** Bootstrap address for clients: `127.0.0.1:<port>`. */
  readonly brokers: string;
  /** Temporary directory holding the config, the log dir and the broker's output. */
  readonly dir: string;
  /** The broker's `server.properties`. */
  readonly configPath: string;
  /** File that receives the broker's stdout and stderr (appended to across restarts). */
  readonly logPath: string;
  /** Directory with the broker's jars (the cache). */
  readonly libsDir: string;
  /** Path of the JSON file this state is kept in. */
  readonly stateFile: string;
}

/** Options of {@link startKafkaBroker}. */
export interface StartKafkaBrokerOptions {
  /** Kafka version; defaults to {@link kafkaVersion}(). */
  version?: string;
  /** Where to write the state file; defaults to `<temp dir>/broker.json`. */
  stateFile?: string;
  /** Start the broker in its own process group so it outlives the caller (the CLI). Default false. */
  detached?: boolean;
  /** How long to wait for the broker to serve, in ms. Default 90 s. */
  readyTimeoutMs?: number;
  /** Progress messages (download, format, start). Default: silent. */
  log?: (message: string) => void;
  /** The client and controller ports on 127.0.0.1 (default: two free ones). */
  ports?: { readonly port: number; readonly controllerPort: number };
}

/** The Kafka version to use: `KAFKA_VERSION` or {@link DEFAULT_KAFKA_VERSION}. */
export function kafkaVersion(): string {
  return process.env.KAFKA_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
}

/** Root of the jar cache, outside the clone: `KAFKA_CACHE_DIR` or `~/.cache/cep-kafka`. */
export function kafkaCacheDir(): string {
  return process.env.KAFKA_CACHE_DIR?.trim() || join(homedir(), '.cache', 'cep-kafka');
}

function majorOf(version: string): number {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (!Number.isFinite(major)) throw new Error(`cannot parse Kafka version '${version}'`);
  return major;
}

/** The generated pom: the broker, its runtime dependencies and the logging binding its release ships. */
function pomFor(version: string): string {
  const dep = (g: string, a: string, v: string) =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  const logging =
    majorOf(version) >= 4
      ? [
          // Kafka 4.x ships log4j2 with the slf4j 1.x binding.
          dep('org.apache.logging.log4j', 'log4j-api', '2.25.3'),
          dep('org.apache.logging.log4j', 'log4j-core', '2.25.3'),
          dep('org.apache.logging.log4j', 'log4j-slf4j-impl', '2.25.3'),
        ]
      : [
          // Kafka 3.x ships reload4j with slf4j-reload4j.
          dep('org.slf4j', 'slf4j-reload4j', '1.7.36'),
          dep('ch.qos.reload4j', 'reload4j', '1.2.25'),
        ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cep</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${[dep('org.apache.kafka', 'kafka_2.13', version), ...logging].join('\n')}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd?: string, timeoutMs = 600_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (err) =>
      reject(new Error(`cannot run '${cmd}' (is it installed and on PATH?): ${err.message}`)),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Returns the directory holding the jars of Kafka `version`, downloading them with Maven on first use
 * (`mvn dependency:copy-dependencies` on a generated pom) into `<cache>/<version>/libs`. The download goes
 * to a staging directory that is renamed into place, so an interrupted download leaves no half cache and
 * two concurrent callers both end up with a complete one.
 */
export async function ensureKafkaLibs(version: string, log: (m: string) => void = () => {}): Promise<string> {
  const versionDir = join(kafkaCacheDir(), version);
  const libsDir = join(versionDir, 'libs');
  if (existsSync(join(libsDir, `kafka_2.13-${version}.jar`))) return libsDir;
  await mkdir(versionDir, { recursive: true });
  const staging = await mkdtemp(join(versionDir, 'staging-'));
  try {
    await writeFile(join(staging, 'pom.xml'), pomFor(version));
    const started = Date.now();
    log(`downloading Apache Kafka ${version} jars with Maven into ${libsDir}`);
    const out = join(staging, 'libs');
    const result = await run(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${out}`, '-DincludeScope=runtime'],
      staging,
    );
    if (result.code !== 0) {
      throw new Error(
        `mvn could not fetch Kafka ${version} (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
      );
    }
    if (!existsSync(join(out, `kafka_2.13-${version}.jar`))) {
      throw new Error(`mvn ran but kafka_2.13-${version}.jar is missing from ${out}`);
    }
    try {
      await rename(out, libsDir);
    } catch (err) {
      // Another process finished first; its cache is as good as ours.
      if (!existsSync(join(libsDir, `kafka_2.13-${version}.jar`))) throw err;
    }
    log(
      `downloaded ${(await readdir(libsDir)).length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return libsDir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Distinct free TCP ports on 127.0.0.1 (bound to port 0, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    // Small segments so that compaction and retention are exercised quickly.
    'log.segment.bytes=1048576',
    'log.retention.check.interval.ms=10000',
    'log.cleaner.backoff.ms=1000',
    // Quick shutdown and restart of the single node.
    'controlled.shutdown.enable=true',
    'num.recovery.threads.per.data.dir=1',
    // After a crash the restarted node cannot register until the controller expires its previous
    // incarnation's session (default 9 s): keep that short.
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=3000',
  ].join('\n')}\n`;
}

const LOG4J_BROKER = `log4j.rootLogger=INFO, stdout
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

const LOG4J_TOOLS = `log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

function log4j2(level: string, target: 'SYSTEM_OUT' | 'SYSTEM_ERR'): string {
  return `status = warn
appender.console.type = Console
appender.console.name = CONSOLE
appender.console.target = ${target}
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${level}
rootLogger.appenderRef.console.ref = CONSOLE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;
}

/** JVM arguments for a Kafka main class run from `dir` (which holds the logging configs). */
function javaArgs(dir: string, libsDir: string, tool: boolean, mainClass: string, args: string[]): string[] {
  const suffix = tool ? 'tools' : 'broker';
  return [
    ...(tool ? ['-Xmx256m'] : ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC']),
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, `log4j-${suffix}.properties`)}`,
    `-Dlog4j2.configurationFile=${join(dir, `log4j2-${suffix}.properties`)}`,
    '-cp',
    `${libsDir}/*`,
    mainClass,
    ...args,
  ];
}

/** Runs a Kafka command line tool (StorageTool etc.) and returns its stdout, failing on a non-zero exit. */
async function runTool(state: Pick<KafkaBrokerState, 'dir' | 'libsDir'>, main: string, args: string[]) {
  const result = await run('java', javaArgs(state.dir, state.libsDir, true, main, args), state.dir, 120_000);
  if (result.code !== 0) {
    throw new Error(
      `${main} ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout.trim();
}

/** Reads a broker state file written by {@link startKafkaBroker}. */
export function readBrokerState(stateFile: string): KafkaBrokerState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as KafkaBrokerState;
}

/** Writes `state` to its state file (atomically: temp file + rename). */
export async function writeBrokerState(state: KafkaBrokerState): Promise<void> {
  const temp = `${state.stateFile}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, state.stateFile);
}

/** The last `lines` lines of the broker's log file, for error messages. */
export async function brokerLogTail(state: Pick<KafkaBrokerState, 'logPath'>, lines = 80): Promise<string> {
  try {
    const text = await readFile(state.logPath, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log)';
  }
}

/**
 * Whether process `pid` is alive. A zombie (exited, not yet reaped: possible when the broker was
 * started by a test worker that has exited) counts as dead.
 */
export function isProcessAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/**
 * Waits until the cluster at `brokers` answers a kafkajs admin `describeCluster`. Fails after
 * `timeoutMs`, or at once when `alive()` says the broker process has died.
 */
export async function waitForKafka(
  brokers: string,
  timeoutMs = 90_000,
  alive: () => boolean = () => true,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kafka-ready-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (!alive()) throw new Error(`the Kafka broker process exited before serving on ${brokers}`);
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (err) {
      lastError = err;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka at ${brokers} did not serve within ${timeoutMs} ms: ${String(lastError)}`);
    }
    await sleep(200);
  }
}

/** Children spawned by this process, kept so that Node reaps them and so that they die with it. */
const spawned = new Map<number, ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a teardown did not run: never leave a broker behind this process.
  process.once('exit', () => {
    for (const [pid, child] of spawned) {
      if (child.exitCode === null && isProcessAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
  });
}

/** Options of {@link launchKafkaBroker}. */
export interface LaunchKafkaBrokerOptions {
  /**
   * Give the broker its own process group so that it outlives this process and the terminal's Ctrl-C
   * (the CLI). Default false: it stays in the caller's process group, so Ctrl-C on vitest reaches it.
   */
  detached?: boolean;
  /**
   * SIGKILL the broker when this process exits (a safety net for the global setup). Default: true unless
   * `detached`. A test worker passes false, since the broker it restarts must outlive the worker.
   */
  killOnExit?: boolean;
  /** How long to wait for the broker to serve, in ms. Default 90 s. */
  readyTimeoutMs?: number;
}

/**
 * Starts the broker described by `state` (already formatted) and waits until it serves. Updates
 * `state.pid` and the state file.
 */
export async function launchKafkaBroker(
  state: KafkaBrokerState,
  options: LaunchKafkaBrokerOptions = {},
): Promise<void> {
  const fd = openSync(state.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn('java', javaArgs(state.dir, state.libsDir, false, 'kafka.Kafka', [state.configPath]), {
      cwd: state.dir,
      stdio: ['ignore', fd, fd],
      detached: options.detached ?? false,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn java (is Java 17 installed?)');
  child.on('error', () => {});
  child.once('exit', () => spawned.delete(pid));
  // Unreferenced, the handle still lets Node reap the process, without keeping this process alive.
  child.unref();
  if (options.killOnExit ?? !options.detached) {
    spawned.set(pid, child);
    installExitHook();
  }
  state.pid = pid;
  await writeBrokerState(state);
  try {
    await waitForKafka(state.brokers, options.readyTimeoutMs ?? 90_000, () => isProcessAlive(pid));
  } catch (err) {
    await stopKafkaProcess(pid, 0);
    throw new Error(
      `${(err as Error).message}\n--- broker log ${state.logPath} ---\n${await brokerLogTail(state)}`,
    );
  }
}

/**
 * Stops process `pid`: SIGTERM (the broker shuts down cleanly), then SIGKILL after `graceMs`.
 * `graceMs = 0` kills at once (a crash). Resolves once the process is gone.
 */
export async function stopKafkaProcess(pid: number, graceMs = 15_000): Promise<void> {
  if (!isProcessAlive(pid)) return;
  try {
    process.kill(pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  } catch {
    return;
  }
  if (graceMs > 0 && (await waitUntil(() => !isProcessAlive(pid), graceMs))) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  if (!(await waitUntil(() => !isProcessAlive(pid), 15_000))) {
    throw new Error(`Kafka broker process ${pid} did not exit after SIGKILL`);
  }
}

/**
 * Fetches Kafka (cached), writes a one-node KRaft config on two free 127.0.0.1 ports with a log dir in a
 * new temp dir, formats the storage (`kafka.tools.StorageTool format`), starts `kafka.Kafka` and waits
 * until it serves. Returns the state; stop it with {@link stopKafkaBroker}.
 */
export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBrokerState> {
  const version = options.version ?? kafkaVersion();
  const log = options.log ?? (() => {});
  const libsDir = await ensureKafkaLibs(version, log);
  const dir = await mkdtemp(join(tmpdir(), 'cep-kafka-'));
  try {
    const [port, controllerPort] =
      options.ports !== undefined
        ? [options.ports.port, options.ports.controllerPort]
        : ((await freePorts(2)) as [number, number]);
    const logDir = join(dir, 'data');
    await mkdir(logDir);
    const configPath = join(dir, 'server.properties');
    await writeFile(configPath, serverProperties(port, controllerPort, logDir));
    await writeFile(join(dir, 'log4j-broker.properties'), LOG4J_BROKER);
    await writeFile(join(dir, 'log4j-tools.properties'), LOG4J_TOOLS);
    await writeFile(join(dir, 'log4j2-broker.properties'), log4j2('INFO', 'SYSTEM_OUT'));
    await writeFile(join(dir, 'log4j2-tools.properties'), log4j2('WARN', 'SYSTEM_ERR'));
    const state: KafkaBrokerState = {
      version,
      pid: 0,
      port,
      controllerPort,
      brokers: `127.0.0.1:${port}`,
      dir,
      configPath,
      logPath: join(dir, 'broker.log'),
      libsDir,
      stateFile: options.stateFile ?? join(dir, 'broker.json'),
    };
    const clusterId = (await runTool(state, 'kafka.tools.StorageTool', ['random-uuid'])).split('\n').pop()!;
    await runTool(state, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', configPath]);
    const started = Date.now();
    log(`starting Kafka ${version} on ${state.brokers} (dir ${dir})`);
    await launchKafkaBroker(state, {
      detached: options.detached ?? false,
      readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    });
    log(`Kafka ${version} serves on ${state.brokers} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return state;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Stops the broker of `state` (SIGTERM, then SIGKILL) and deletes its temp dir unless `keepDir`. */
export async function stopKafkaBroker(
  state: KafkaBrokerState,
  options: { keepDir?: boolean; graceMs?: number } = {},
): Promise<void> {
  await stopKafkaProcess(state.pid, options.graceMs ?? 15_000);
  if (!options.keepDir) await rm(state.dir, { recursive: true, force: true });
}
