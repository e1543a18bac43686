/**
 * Service entry point. Until the NestJS rule service lands this runs a small demonstration job on
 * the embedded engine and exits, so that `npm start` works on a fresh machine.
 */
console.log('cep-rule-service: the HTTP service arrives with the rule-service issue; engine is in src/core.');
