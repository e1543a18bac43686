#!/usr/bin/env node
// Starts and stops the integration tests' Kafka broker by hand, for running tests against it with
// KAFKA_BROKERS or for trying things out:
//
//   node test/integration/kafka/broker-cli.mjs start     # prints the bootstrap address
//   node test/integration/kafka/broker-cli.mjs status
//   node test/integration/kafka/broker-cli.mjs restart   # same ports and log dir
//   node test/integration/kafka/broker-cli.mjs stop      # and deletes its temp dir
//
// KAFKA_VERSION picks the version (default 4.4.0; 3.9.2 for the 3.x line), KAFKA_CACHE_DIR the jar cache. The broker
// runs detached; its state is kept in .cache/kafka-broker.json at the repository root.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const stateFile = join(root, '.cache', 'kafka-broker.json');

const { module: broker } = await runnerImport(join(here, 'kafka-broker.ts'), {
  configFile: false,
  root,
  logLevel: 'error',
});

const log = (message) => process.stderr.write(`[kafka] ${message}\n`);

async function stop() {
  if (!existsSync(stateFile)) {
    log('no broker started by this CLI');
    return;
  }
  const state = broker.readBrokerState(stateFile);
  await broker.stopKafkaBroker(state);
  rmSync(stateFile, { force: true });
  log(`stopped pid ${state.pid}, deleted ${state.dir}`);
}

const command = process.argv[2];
switch (command) {
  case 'start': {
    if (existsSync(stateFile) && broker.isProcessAlive(broker.readBrokerState(stateFile).pid)) {
      const state = broker.readBrokerState(stateFile);
      log(`already running (pid ${state.pid})`);
      console.log(`KAFKA_BROKERS=${state.brokers}`);
      break;
    }
    mkdirSync(dirname(stateFile), { recursive: true });
    const state = await broker.startKafkaBroker({ stateFile, detached: true, log });
    log(
      `pid ${state.pid}, log ${state.logPath}; stop it with: node ${join('test/integration/kafka/broker-cli.mjs')} stop`,
    );
    console.log(`KAFKA_BROKERS=${state.brokers}`);
    break;
  }
  case 'stop':
    await stop();
    break;
  case 'restart': {
    const state = broker.readBrokerState(stateFile);
    await broker.stopKafkaProcess(state.pid);
    await broker.launchKafkaBroker(state, { detached: true });
    log(`restarted: pid ${state.pid} on ${state.brokers}`);
    break;
  }
  case 'status': {
    if (!existsSync(stateFile)) {
      console.log('stopped');
      process.exitCode = 1;
      break;
    }
    const state = broker.readBrokerState(stateFile);
    const alive = broker.isProcessAlive(state.pid);
    console.log(
      alive ? `running: Kafka ${state.version}, pid ${state.pid}, KAFKA_BROKERS=${state.brokers}` : 'stopped',
    );
    if (!alive) process.exitCode = 1;
    break;
  }
  default:
    console.error('usage: broker-cli.mjs start|stop|restart|status');
    process.exitCode = 2;
}
