import { describe, expect, it } from 'vitest';
import { redriveRounds, REDRIVE_ROUND } from '../../../src/dead-letters/rounds.js';
import type { Sendable } from '../../../src/dead-letters/selection.js';
import type { PlannedLetter } from '../../../src/dead-letters/redrive-plan.js';

/** A letter of `dlq` at `offset`, going back to `target`. */
function sendable(dlq: string, offset: number, target: string): Sendable {
  const record = { topic: target, key: Buffer.from(`k${offset}`), value: Buffer.from(`v${offset}`), headers: { 'reativa-redriven-from': `${dlq}:0:${offset}` } };
  const letter = { id: `${dlq}:0:${offset}`, topic: dlq, partition: 0, offset: String(offset), timestamp: 1_000 + offset } as PlannedLetter;
  return { letter, record };
}

describe('redrive rounds', () => {
  it('group each round by the topic its records go back to, in the order selected, with a mark per letter', () => {
    const send = [sendable('ns.triggers.dlq', 1, 'ns.triggers'), sendable('ns.deliveries.dlq', 2, 'ns.deliveries'), sendable('ns.triggers.dlq', 3, 'ns.triggers')];
    const [round, ...more] = redriveRounds(send);
    expect(more).toEqual([]);
    expect(round!.batches.map((b) => [b.topic, b.messages.map((m) => m.value.toString())])).toEqual([
      ['ns.triggers', ['v1', 'v3']],
      ['ns.deliveries', ['v2']],
    ]);
    expect(round!.batches[0]!.messages[0]).toEqual({ key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { 'reativa-redriven-from': 'ns.triggers.dlq:0:1' } });
    expect(round!.marks).toEqual([
      { topic: 'ns.triggers.dlq', partition: 0, offset: '1', letterTimestamp: 1_001, targetTopic: 'ns.triggers' },
      { topic: 'ns.deliveries.dlq', partition: 0, offset: '2', letterTimestamp: 1_002, targetTopic: 'ns.deliveries' },
      { topic: 'ns.triggers.dlq', partition: 0, offset: '3', letterTimestamp: 1_003, targetTopic: 'ns.triggers' },
    ]);
  });

  it('hold at most REDRIVE_ROUND letters each, so a crash between sending and marking sends at most that many again', () => {
    const send = Array.from({ length: REDRIVE_ROUND * 2 + 1 }, (_, i) => sendable('ns.deliveries.dlq', i, 'ns.deliveries'));
    const rounds = redriveRounds(send);
    expect(rounds.map((r) => r.marks.length)).toEqual([REDRIVE_ROUND, REDRIVE_ROUND, 1]);
    expect(rounds.flatMap((r) => r.marks.map((m) => m.offset))).toEqual(send.map((s) => s.letter.offset));
    expect(redriveRounds(send, 3)).toHaveLength(Math.ceil(send.length / 3));
    expect(redriveRounds([])).toEqual([]);
  });

  it('copy the headers, so a round never shares the selection\'s objects with the producer', () => {
    const one = sendable('ns.triggers.dlq', 1, 'ns.triggers');
    const message = redriveRounds([one])[0]!.batches[0]!.messages[0]!;
    expect(message.headers).toEqual(one.record.headers);
    expect(message.headers).not.toBe(one.record.headers);
  });
});
