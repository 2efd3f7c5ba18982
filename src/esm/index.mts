// The ESM entry point re-exports the CommonJS build, so that `import` and `require` share one module instance.
export { audit, addAuditHook } from '../index.js';
export type {
  AddAuditHook,
  ArgSpec,
  ArgTypeName,
  AuditArgs,
  AuditEventName,
  AuditEvents,
  AuditHook,
  AuditHookCall,
  EventSpec,
  UnauditedApi,
} from '../index.js';
