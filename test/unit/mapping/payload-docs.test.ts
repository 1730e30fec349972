// docs/payloads.md is the contract partners read: every ```json example=NAME
// block there must be exactly what the mapper produces for that example's change.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../../src/paths.js';
import { mapAt } from '../../support/mapping-fixtures.js';
import { exampleWorld, PAYLOAD_EXAMPLES } from '../../support/payload-examples.js';

const doc = fs.readFileSync(projectPath('docs', 'payloads.md'), 'utf8');
const blocks = [...doc.matchAll(/```json example=(\S+)\n([\s\S]*?)```/g)].map(([, name, json]) => ({ name: name!, json: json! }));

describe('docs/payloads.md', () => {
  it('has one example for every documented body', () => {
    expect(blocks.map((b) => b.name).sort()).toEqual(Object.keys(PAYLOAD_EXAMPLES).sort());
  });

  it.each(blocks)('example $name is what the mapper produces', ({ name, json }) => {
    const example = PAYLOAD_EXAMPLES[name]!;
    const eventsOf = () => {
      if (example.event) return [example.event()];
      const result = mapAt(example.change!, exampleWorld());
      if (!result.ok) throw new Error(result.reason);
      return result.events;
    };
    const event = eventsOf().find((e) => e.kind === example.kind && e.entity === (example.entity ?? null));
    expect(event, `an event of kind ${example.kind} ${example.entity ?? ''}`).toBeDefined();
    expect(JSON.parse(json)).toEqual(event!.body);
  });

  it('shows the electronic signature exactly as the source document', () => {
    const block = blocks.find((b) => b.name === 'standard/electronic_signature')!;
    expect(JSON.parse(block.json)).toEqual({
      CompanyId: 1,
      CompanyTxId: '99.999.999/9999-99',
      ActionType: 0,
      Contract: {
        ThirdPartyInformation: { NegotiationId: '00090189' },
        ElectronicSignatures: [
          {
            Code: '34876',
            Name: ' Teste',
            Email: 'teste@teste.com.br',
            Phone: '(99)9999-9999',
            Url: 'https://vds.voalle.app/documents/05ea417e-b48f-4e96-b837-6ba83646440e/c3312ff6-5269-436e-9f27-2a8dde352d34',
            Status: 2,
          },
        ],
      },
    });
  });
});
