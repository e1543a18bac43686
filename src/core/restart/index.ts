export * from './restart-strategies.js';
