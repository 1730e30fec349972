import { describe, expect, it } from 'vitest';
import { artifactLayout } from '../../../src/stack/artifacts.js';
import { kafkaFormatArgs, kafkaNode } from '../../../src/stack/jvm.js';

describe('Kafka storage format arguments', () => {
  const layout = artifactLayout('/tmp/stack');
  const node = kafkaNode('/tmp/stack', '127.0.0.1', 9092, 9093, 9094);

  it('joins a cluster id that starts with "-" to its option, so the tool does not read it as one', () => {
    const args = kafkaFormatArgs(layout, node, '-F32AjOCTs6eclTCGYmMZg');
    expect(args).toContain('--cluster-id=-F32AjOCTs6eclTCGYmMZg');
    expect(args).not.toContain('-F32AjOCTs6eclTCGYmMZg');
  });

  it('makes a new 22-character base64url id each time when none is given', () => {
    const idOf = (args: string[]) => args.find((a) => a.startsWith('--cluster-id='))!.slice('--cluster-id='.length);
    const [a, b] = [idOf(kafkaFormatArgs(layout, node)), idOf(kafkaFormatArgs(layout, node))];
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });
});
