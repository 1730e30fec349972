import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AddressPolicy, EMBEDDED_STACK_ALLOW_HOSTS, parseAllowEntry, parseAllowHosts, REFUSED_RANGES, type AddressFamily } from '../../../src/delivery/address-policy.js';

const policy = (allowHosts: readonly string[] = [], httpsOnly = false) => new AddressPolicy({ allowHosts, httpsOnly }, () => new BlockList());
const familyOf = (ip: string): AddressFamily => (ip.includes(':') ? 6 : 4);
const refusal = (p: AddressPolicy, ip: string, hostname?: string) => p.refuseAddress(ip, familyOf(ip), hostname);
/** An IP as the sender sees it: the hostname of the URL it is written in (undici parses origins with WHATWG URL). */
const urlHost = (host: string) => new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, '');

describe('the address guard', () => {
  const guard = policy();

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'não especificado'],
    ['0.1.2.3', 'não especificado'],
    ['::', 'não especificado'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['10.0.0.1', 'privado'],
    ['10.255.255.255', 'privado'],
    ['172.16.0.1', 'privado'],
    ['172.31.255.254', 'privado'],
    ['192.168.1.1', 'privado'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fc00::1', 'IPv6 local única'],
    ['fd12:3456:789a::1', 'IPv6 local única'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reservado'],
    ['::127.0.0.1', 'reservado'],
  ])('refuses %s (%s)', (ip, label) => {
    expect(refusal(guard, ip)).toBe(`endereço recusado: ${ip.replace(/%.*/, '')} é ${label} (REATIVA_DELIVERY_ALLOW_HOSTS)`);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'privado'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:192.168.0.1', 'privado'],
  ])('refuses the IPv4-mapped IPv6 address %s (%s)', (ip, label) => {
    expect(refusal(guard, ip)).toMatch(new RegExp(`é ${label} \\(REATIVA_DELIVERY_ALLOW_HOSTS\\)$`));
  });

  it.each([
    ['0x7f000001', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x0a.0.0.1', '10.0.0.1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
  ])('sees through the numeric form %s: the URL parser makes it %s, which is refused', (written, ip) => {
    expect(urlHost(written)).toBe(ip);
    expect(refusal(guard, urlHost(written))).toMatch(/^endereço recusado: /);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.0.1', '11.0.0.1', '2001:4860:4860::8888', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (ip) => {
      expect(refusal(guard, ip)).toBeUndefined();
    },
  );

  it('names the host a refused address was resolved from', () => {
    expect(refusal(guard, '127.0.0.1', 'rebind.example')).toBe('endereço recusado: rebind.example resolve para 127.0.0.1, que é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)');
  });

  it('has a reason for every range', () => {
    expect(REFUSED_RANGES.every((r) => r.label.length > 0)).toBe(true);
  });
});

describe('the allow list', () => {
  it('lets through the IPs and CIDRs it names, and only those', () => {
    const p = policy(['127.0.0.1', '10.1.0.0/16', 'fd00:1::/32']);
    expect(refusal(p, '127.0.0.1')).toBeUndefined();
    expect(refusal(p, '::ffff:127.0.0.1')).toBeUndefined();
    expect(refusal(p, '127.0.0.2')).toMatch(/é loopback/);
    expect(refusal(p, '10.1.200.3')).toBeUndefined();
    expect(refusal(p, '10.2.0.1')).toMatch(/é privado/);
    expect(refusal(p, 'fd00:1:ffff::1')).toBeUndefined();
    expect(refusal(p, 'fd00:2::1')).toMatch(/IPv6 local única/);
    expect(refusal(p, '::1')).toMatch(/é loopback/);
  });

  it('lets through the host names it names, whatever they resolve to, and only those', () => {
    const p = policy(['partner.local', 'Hooks.Example.COM']);
    expect(p.allowsHost('partner.local')).toBe(true);
    expect(p.allowsHost('PARTNER.local.')).toBe(true);
    expect(p.allowsHost('hooks.example.com')).toBe(true);
    expect(p.allowsHost('other.local')).toBe(false);
    expect(p.allowsHost('sub.partner.local')).toBe(false);
    // A name allows connections to that name; the addresses of other names are still checked.
    expect(refusal(p, '10.0.0.1', 'other.local')).toMatch(/^endereço recusado: other.local resolve para 10.0.0.1/);
    expect(policy().allowsHost('localhost')).toBe(false);
  });

  it('is parsed from REATIVA_DELIVERY_ALLOW_HOSTS: host names, IPs and CIDRs, normalised', () => {
    expect(parseAllowHosts('127.0.0.1, partner.local ,10.1.0.0/16,,::1')).toEqual({ entries: ['127.0.0.1', 'partner.local', '10.1.0.0/16', '::1'], problems: [] });
    expect(parseAllowHosts('127.1,0x7f000002,Partner.LOCAL,0:0:0:0:0:0:0:1,192.168.0.0/24,fd00::/8,10.0.0.5/32').entries).toEqual([
      '127.0.0.1', '127.0.0.2', 'partner.local', '::1', '192.168.0.0/24', 'fd00::/8', '10.0.0.5',
    ]);
    expect(parseAllowHosts('none')).toEqual({ entries: [], problems: [] });
    expect(parseAllowHosts('')).toEqual({ entries: [], problems: [] });
  });

  it('names every bad entry', () => {
    const { problems } = parseAllowHosts('10.0.0.0/33,partner.local:8443,http://x,fd00::/129,partner.local/8,999.1.1.1.1,a b,10.0.0.0/x');
    expect(problems).toHaveLength(8);
    expect(problems[0]).toBe('"10.0.0.0/33": o prefixo deve ir de 0 a 32');
    expect(problems[1]).toBe('"partner.local:8443" não é um nome de host, IP ou CIDR');
    expect(problems[4]).toBe('"partner.local/8": um CIDR precisa de um IP antes da barra');
  });

  it('reads one entry as a host or a network', () => {
    expect(parseAllowEntry('10.1.0.0/16')).toEqual({ kind: 'network', address: '10.1.0.0', prefix: 16, family: 4 });
    expect(parseAllowEntry('::1')).toEqual({ kind: 'network', address: '::1', prefix: 128, family: 6 });
    expect(parseAllowEntry('partner.local')).toEqual({ kind: 'host', name: 'partner.local' });
  });

  it('defaults, with the embedded stack, to this machine only', () => {
    const p = policy(EMBEDDED_STACK_ALLOW_HOSTS);
    expect(refusal(p, '127.0.0.1')).toBeUndefined();
    expect(refusal(p, '::1')).toBeUndefined();
    expect(refusal(p, '127.0.0.53')).toMatch(/é loopback/);
    expect(refusal(p, '192.168.0.10')).toMatch(/é privado/);
  });

  it('refuses an invalid entry when the policy is built', () => {
    expect(() => policy(['10.0.0.0/40'])).toThrow(/REATIVA_DELIVERY_ALLOW_HOSTS/);
  });
});

describe('https only', () => {
  it('refuses http:// when set, and nothing otherwise', () => {
    expect(policy([], true).refuseProtocol('http:')).toBe('endereço recusado: http:// não é permitido, só https:// (REATIVA_DELIVERY_HTTPS_ONLY)');
    expect(policy([], true).refuseProtocol('https:')).toBeUndefined();
    expect(policy([], false).refuseProtocol('http:')).toBeUndefined();
    // The allow list does not make an exception to it.
    expect(policy(['127.0.0.1'], true).refuseProtocol('http:')).toMatch(/REATIVA_DELIVERY_HTTPS_ONLY/);
  });
});
