import { describe, expect, it } from 'vitest';
import type { LetterStage, PlannedLetter } from '../../../../src/dead-letters/redrive-plan.js';
import { Marks, selectForRedrive } from '../../../../src/dead-letters/selection.js';
import { confirmPage, countByWebhookAndStage, idsOf, lettersPage, notRedrivableWhy, parseLettersQuery, redriveNote } from '../../../../src/admin/views/dead-letters-view.js';

const NOW = Date.parse('2026-11-29T15:00:00Z');
const chrome = { title: 'Fila de falhas', current: 'falhas', csrf: 'c', namespace: 'ns' } as const;

function letter(id: string, stage: LetterStage, webhookId: number | null, redrivable = true): PlannedLetter {
  const [name, partition, offset] = id.split(':') as [string, string, string];
  return {
    id,
    topic: `ns.${name}.dlq`,
    partition: Number(partition),
    offset,
    timestamp: NOW,
    stage,
    reason: 'HTTP 500 <erro>',
    failedAt: new Date(NOW).toISOString(),
    webhookId,
    contractId: 42,
    eventId: 'e',
    letter: {},
    redrive: redrivable ? { ok: true, record: { topic: 'ns.deliveries', key: null, value: Buffer.from(id), headers: {} } } : { ok: false, why: 'no record' },
  };
}

describe('the filters and the selection', () => {
  it('are read from the form, with Portuguese messages', () => {
    expect(parseLettersQuery({ webhook: '3', etapa: 'delivery', mostrar: 'todas' })).toMatchObject({ filter: { webhookId: 3, stages: new Set(['delivery']) }, all: true, errors: [] });
    expect(parseLettersQuery({ webhook: 'x', etapa: 'nada' }).errors).toEqual(['Webhook: "x" não é um código de webhook', 'Etapa: "nada" desconhecida']);
  });

  it('take only well-formed letter ids, once each', () => {
    expect(idsOf({ ids: 'deliveries:0:1' })).toEqual(['deliveries:0:1']);
    expect(idsOf({ ids: ['deliveries:0:1', 'deliveries:0:1', 'triggers:0:2', "x' OR 1=1", 3] })).toEqual(['deliveries:0:1', 'triggers:0:2']);
    expect(idsOf({})).toEqual([]);
  });
});

describe('the Fila de falhas page', () => {
  const letters = [letter('deliveries:0:1', 'delivery', 3), letter('deliveries:0:2', 'delivery', 3), letter('deliveries:0:3', 'partner_rules', 4, false)];
  const shown = letters.map((l, i) => ({ letter: l, mark: i === 1 ? { topic: l.topic, partition: 0, offset: '2', letterTimestamp: NOW, redrivenAt: '2026-11-29T15:30:00.000Z', targetTopic: 'ns.deliveries' } : undefined }));

  it('counts what is pending by webhook and stage', () => {
    expect(countByWebhookAndStage(shown)).toEqual([
      { webhookId: 3, stage: 'delivery', count: 1 },
      { webhookId: 4, stage: 'partner_rules', count: 1 },
    ]);
  });

  it('offers a checkbox only for letters that can be sent and were not yet, and says why the others cannot', () => {
    const names = new Map([[3, 'Padrão']]);
    const out = lettersPage(chrome, { query: parseLettersQuery({}), shown, hidden: 0, webhooks: names, names, csrf: 'tok' }).text;
    expect(out).toContain('<input type="checkbox" name="ids" value="deliveries:0:1" id="l-deliveries:0:1" aria-label="Reenviar deliveries:0:1">');
    expect(out).not.toContain('value="deliveries:0:2" id=');
    expect(out).toContain('Reenviada em 29/11/2026 12:30:00');
    expect(out).toContain('corrija os dados do cliente no ERP');
    expect(out).toContain('HTTP 500 &lt;erro&gt;');
    expect(out).toContain('<input type="hidden" name="csrf" value="tok">');
    expect(out).toContain('Reenviar todas as reenviáveis deste filtro (1)');
    expect(notRedrivableWhy(letters[0]!)).toBe('');
  });

  it('says what the redrive of a refusal by the partner\'s rules sends: the change mapped again with the data of the ERP now, to that webhook alone, or why it cannot', () => {
    const keeping = { ...letter('deliveries:0:4', 'partner_rules', 4), letter: { stage: 'partner_rules', changeOffset: '120' } };
    const redrivable = { ...keeping, redrive: { ok: true as const, record: { topic: 'ns.changes.redrive', key: null, value: Buffer.from('x'), headers: {} } } };
    expect(redriveNote(redrivable).text).toContain('para <code>ns.changes.redrive</code>: a alteração é mapeada de novo com os dados do ERP como estão no momento do reenvio');
    expect(redriveNote(redrivable).text).toContain('enviada só a este webhook');
    const gone = { ...keeping, redrive: { ok: false as const, why: 'its change (offset 120 of erp.changes) is no longer in the change log' } };
    expect(notRedrivableWhy(gone)).toMatch(/^Não reenviável: a alteração que originou o envio já não pode ser mapeada de novo .*a próxima alteração do contrato será enviada \(its change \(offset 120/);
    // Written before letters kept the change: the delivery as it was refused, or nothing.
    expect(redriveNote(letter('deliveries:0:5', 'partner_rules', 4)).text).toContain('a entrega como era na recusa');
    expect(notRedrivableWhy(letters[2]!)).toContain('corrija os dados do cliente no ERP (a próxima alteração do contrato será enviada)');
  });

  it('asks to confirm the exact count before sending, listing what is left out', () => {
    const marks = new Marks([shown[1]!.mark!]);
    const selection = selectForRedrive(letters, marks, { ids: ['deliveries:0:1', 'deliveries:0:2', 'deliveries:0:3'] });
    const out = confirmPage(chrome, selection, 'tok').text;
    expect(out).toContain('Reenviar 1 registro?');
    expect(out).toContain('1 da etapa Entrega para <code>ns.deliveries</code>');
    expect(out).toContain('1 já reenviadas antes ficam de fora');
    expect(out).toContain('1 não reenviáveis ficam de fora');
    expect(out).toContain('<input type="hidden" name="esperados" value="1">');
    expect(out).toContain('<input type="hidden" name="ids" value="deliveries:0:1">');
    expect(out).toContain('Confirmar o reenvio de 1 registro');
    const nothing = confirmPage(chrome, selectForRedrive(letters, marks, { ids: ['deliveries:0:3'] }), 'tok').text;
    expect(nothing).toContain('Nada a reenviar');
    expect(nothing).not.toContain('Confirmar o reenvio');
  });
});
