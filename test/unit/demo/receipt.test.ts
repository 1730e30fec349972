import { describe, expect, it } from 'vitest';
import { DEFAULT_ODDS, demoStatus, describeBody, receiptLine } from '../../../src/demo/receipt.js';

describe('the demo partner', () => {
  it('answers mostly 200, now and then 503 (retried) or 422 (dead-lettered)', () => {
    expect(demoStatus(0)).toBe(422);
    expect(demoStatus(DEFAULT_ODDS.permanent + 0.001)).toBe(503);
    expect(demoStatus(0.99)).toBe(200);
    expect(demoStatus(0.5, { retryable: 0, permanent: 0 })).toBe(200);
    const answers = Array.from({ length: 1000 }, (_, i) => demoStatus(i / 1000));
    expect(answers.filter((s) => s === 200).length).toBe(870);
  });

  it('describes a contract body: action, contract, status and the services added or removed', () => {
    const body = { ActionType: 1, Contract: { Id: 12, Status: { Code: 'suspended' } }, ServiceChange: { Added: [{ IntegrationCode: 'urn:tve:hbo' }], Removed: [{ IntegrationCode: 'watch-premium' }] } };
    expect(describeBody(body)).toBe('update Contract 12 status suspended +urn:tve:hbo -watch-premium');
  });

  it('describes a standard body by its group, with its contract', () => {
    expect(describeBody({ ActionType: 0, Title: { Id: 601, ContractId: 100, Status: { Code: 'open' } } })).toBe('insert Title 601 (contract 100) status open');
    expect(describeBody('not json')).toBe('(no JSON body)');
    expect(describeBody({})).toBe('(a body without the usual groups)');
  });

  it('prints one line per request, without any header value', () => {
    const line = receiptLine(new Date('2026-12-03T18:00:01Z'), 'watch-brasil', 'POST', 'ev-1', { ActionType: 0, Contract: { Id: 3 } }, 503);
    expect(line).toBe('18:00:01 partner watch-brasil  <- POST insert Contract 3  [event ev-1] -> 503 (will be retried)');
  });
});

describe('the demo partner, other bodies', () => {
  it('names the contract before the integrator, and an electronic signature by its code and status', () => {
    expect(describeBody({ ActionType: 0, Integrator: { Id: 40 }, Contract: { Id: 7 }, ServiceChange: { Added: [{ IntegrationCode: 'urn:tve:dtvgobr' }] } })).toBe('insert Contract 7 +urn:tve:dtvgobr');
    expect(describeBody({ ActionType: 1, Contract: { ElectronicSignatures: [{ Code: 'ASS-1', Status: 3 }] } })).toBe('update signature ASS-1 status 3');
    expect(describeBody({ ActionType: 0, Integrator: { Id: 40 } })).toBe('insert Integrator 40');
  });
});
