// Read-ahead bounded per consumer group of the process, all its partitions
// together: with as many deliveries in hand as allowed, a batch handler waits
// (heart-beating) until some finish. Per process rather than per partition,
// so the memory it takes does not grow with the partitions a process is
// given (3 of deliveries, 3 of each retry topic by default).
import type { PendingCount } from '../../delivery/offsets.js';
import { sleep } from '../../util/wait.js';

/**
 * Waits while the group has `maxPending` deliveries unfinished. What was handed
 * over is resolved first, so a rebalance meanwhile does not fetch it again.
 */
export async function waitForRoom(
  pending: PendingCount,
  maxPending: number,
  resolveHandedOver: () => void,
  heartbeat: () => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  if (pending.value < maxPending) return;
  resolveHandedOver();
  while (pending.value >= maxPending && !stopped()) {
    await sleep(20);
    await heartbeat();
  }
}
