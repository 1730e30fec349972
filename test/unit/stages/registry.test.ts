import { describe, expect, it } from 'vitest';
import { allGroups, redriveGroupOf, retryGroupOf, stageGroups } from '../../../src/stages/registry.js';

const topology = { changeTopicPrefix: 'erp', retrySteps: 3 };

describe('stage registry', () => {
  it('names every consumer group with the topics it reads, the retry and redrive groups included', () => {
    expect(allGroups(topology).map((g) => g.groupId)).toEqual(['reativa-mapper', 'reativa-mapper-redrive', 'reativa-routing', 'reativa-delivery', 'reativa-delivery-retry']);
    expect(stageGroups('mapper', topology)[1]!.topics).toEqual(['reativa.changes.redrive']);
    expect(stageGroups('delivery', topology)[1]!.topics).toEqual(['reativa.deliveries.retry.1', 'reativa.deliveries.retry.2', 'reativa.deliveries.retry.3']);
    expect(stageGroups('mapper', topology)[0]!.topics).toEqual(['erp.changes']);
  });

  it('honours custom group ids, and derives the retry group from the delivery group', () => {
    const groups = allGroups({ ...topology, groups: { delivery: 'staging-delivery' } }).map((g) => g.groupId);
    expect(groups).toContain('staging-delivery-retry');
    expect(retryGroupOf('x')).toBe('x-retry');
    expect(redriveGroupOf('x')).toBe('x-redrive');
  });
});
