// The ESM entry point re-exports the CommonJS build, so that `import` and `require` share one module instance.
export { audit, addAuditHook, setOpenCodeHook } from '../index.js';
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
  OpenCodeHook,
  UnauditedApi,
} from '../index.js';
