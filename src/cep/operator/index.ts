export * from './cep-operator.js';
export * from './dynamic/index.js';
export * from './pattern-process-function.js';
export * from './pattern-stream.js';
