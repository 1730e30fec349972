// Integration tests run against the real stack. If it is not up, start it here
// (and stop it again at the end, unless REATIVA_TEST_KEEP_STACK=1); if it was
// already up, leave it as it was.
import { loadSettings } from '../../src/settings.js';
import { createStack } from '../../src/stack/stack.js';

export default async function setup(): Promise<() => Promise<void>> {
  const settings = loadSettings();
  const stack = createStack(settings, (line) => console.log(`[stack] ${line}`));
  const status = await stack.status();
  const healthy = status.components.every((c) => c.up) && status.connector?.state === 'RUNNING';
  if (healthy) return async () => undefined;
  await stack.up();
  return async () => {
    if (process.env.REATIVA_TEST_KEEP_STACK !== '1') await stack.down();
  };
}
