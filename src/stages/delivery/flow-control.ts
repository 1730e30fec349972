// Read-ahead bounded per partition: with as many deliveries of a partition in
// hand as allowed, the batch handler waits (heart-beating) until some finish.
import type { OffsetTracker } from '../../delivery/offsets.js';
import { sleep } from '../../util/wait.js';

/**
 * Waits while `tracker` has `maxPending` deliveries unfinished. What was handed
 * over is resolved first, so a rebalance meanwhile does not fetch it again.
 */
export async function waitForRoom(
  tracker: OffsetTracker,
  maxPending: number,
  resolveHandedOver: () => void,
  heartbeat: () => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  if (tracker.pending < maxPending) return;
  resolveHandedOver();
  while (tracker.pending >= maxPending && !stopped()) {
    await sleep(20);
    await heartbeat();
  }
}
