import { describe, expect, it } from 'vitest';
import { addFailure, firstFailure, MAX_LISTED, renderDigest, type FailureNotice, type WebhookFailures } from '../../../src/alerts/render.js';

describe('alert e-mail', () => {
  const notice = (contractId: number): FailureNotice => ({
    webhookId: 3, webhookName: 'Watch', url: 'https://apiweb.watch.tv.br/api/voalle/contrato', emails: ['a@x.com'],
    contractId, eventId: `evt-${contractId}`, attempts: 15, lastError: 'HTTP 503', at: new Date('2026-11-29T12:00:00Z'),
  });
  const failures = (count: number): WebhookFailures => {
    const f = firstFailure(notice(0));
    for (let i = 1; i < count; i++) addFailure(f, notice(i));
    return f;
  };

  it('names the webhook, URL, contract, attempts and last error, in Portuguese', () => {
    const { subject, text } = renderDigest(firstFailure(notice(42)));
    expect(subject).toBe('[Reativa] Webhook "Watch": 1 envio atingiu o limite de tentativas');
    expect(text).toContain('Url: https://apiweb.watch.tv.br/api/voalle/contrato');
    expect(text).toContain('- Contrato 42: 15 tentativas, último erro: HTTP 503');
    expect(text).not.toContain('e mais');
  });

  it('counts a burst in one e-mail: the first 20 listed, the others as a count', () => {
    const { subject, text } = renderDigest(failures(25));
    expect(subject).toContain('25 envios atingiram');
    expect(text.split('\n').filter((l) => l.startsWith('- Contrato '))).toHaveLength(MAX_LISTED);
    expect(text).toContain('- Contrato 19:');
    expect(text).not.toContain('- Contrato 20:');
    expect(text).toContain('… e mais 5 falhas.');
    expect(renderDigest(failures(21)).text).toContain('… e mais 1 falha.');
    expect(renderDigest(failures(20)).text).not.toContain('e mais');
  });

  it('keeps the first 20 notices and a count, however many come', () => {
    const f = failures(1000);
    expect(f.total).toBe(1000);
    expect(f.listed).toHaveLength(MAX_LISTED);
    expect(f.listed.map((n) => n.contractId)).toEqual(Array.from({ length: MAX_LISTED }, (_, i) => i));
  });

  it('merges every kind of notice of a webhook into one e-mail, webhook notices first, in Portuguese', () => {
    const base = notice(0);
    const f = firstFailure({ ...base, kind: 'webhook_invalid', contractId: null, lastError: 'Webhook inativo: Url inválida' });
    addFailure(f, { ...base, kind: 'circuit_open', contractId: null, lastError: 'A integradora parou de responder' });
    addFailure(f, { ...base, kind: 'partner_refused', contractId: 7, status: 422, lastError: 'HTTP 422: {"erro":"CPF inválido"}' });
    addFailure(f, { ...base, kind: 'partner_rules', contractId: 8, lastError: 'Cliente "Maria" (código 10), contrato 8: falta Celular' });
    addFailure(f, { ...base, contractId: 9 });
    const { subject, text } = renderDigest(f);
    expect(subject).toBe(
      '[Reativa] Webhook "Watch": webhook inativo (configuração inválida); a integradora parou de responder; 1 envio recusado pela integradora; 1 envio bloqueado pelas regras da integradora; 1 envio atingiu o limite de tentativas',
    );
    expect(text).toContain('- Webhook inativo: Url inválida');
    expect(text).toContain('- Contrato 7: recusado pela integradora (HTTP 422): HTTP 422: {"erro":"CPF inválido"}');
    expect(text).toContain('- Contrato 8: envio bloqueado: Cliente "Maria" (código 10), contrato 8: falta Celular');
    expect(text).toContain('- Contrato 9: 15 tentativas, último erro: HTTP 503');
    expect(f.total).toBe(3);
  });
});
