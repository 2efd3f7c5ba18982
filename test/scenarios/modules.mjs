// Scenarios of test/modules.test.ts, each run in its own process by runScenario(scenario('modules/<name>')).
import { errorData } from '../fixtures/outcome.mjs';

export async function moduleRegisterHooksRaisesModule(harness) {
  const module = await import('node:module');
  harness.block('module.register');
  let thrown = null;
  try { module.registerHooks({ resolve: (s, c, next) => next(s, c) }); } catch (error) { thrown = errorData(error).code; }
  harness.done({ thrown });
}
