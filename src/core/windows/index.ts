export * from './assigners/index.js';
export * from './evictor.js';
export * from './evictors/index.js';
export * from './process-window-function.js';
export * from './trigger.js';
export * from './triggers/index.js';
export * from './window.js';
export * from './window-assigner.js';
export { type WindowContents, WindowOperator, type WindowOperatorConfig } from './window-operator.js';
