export * from './attributes.js';
export { audit } from './middleware.js';
export type { AuditLogLine } from './audit-log.js';
export { prometheusMetrics } from './metrics-endpoint.js';
export { otlpEndpointConfigured, setupTracing } from './setup-tracing.js';
export type * from './types.js';
