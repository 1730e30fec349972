// Where delivery may connect: the policy of the SSRF guard, pure. A webhook's
// URL is typed by an operator in the ERP, so without a guard it could point
// Reativa at the machine it runs on or at the ISP's internal network (Kafka
// Connect's REST API, a database console, a cloud metadata service). The
// sender (src/stages/delivery/sender.ts) asks this policy about every address
// a connection is about to be made to: the IP of a literal URL, or each IP a
// host name resolved to, at connect time, so DNS rebinding does not get
// around it. Exceptions come from REATIVA_DELIVERY_ALLOW_HOSTS.
//
// Address ranges are matched with node:net's BlockList, handed in by the
// caller (`newBlockList`): only its type is imported here, so this module
// stays free of I/O. BlockList also matches IPv4-mapped IPv6 addresses
// (::ffff:127.0.0.1) against IPv4 ranges.
import type { BlockList } from 'node:net';

export type AddressFamily = 4 | 6;

interface Range {
  readonly network: string;
  readonly prefix: number;
  readonly family: AddressFamily;
  /** What the range is, as the refusal says it: "<ip> é <label>". */
  readonly label: string;
}

/** Ranges a partner's address may not be in unless allowed; the first that matches names the reason. */
export const REFUSED_RANGES: readonly Range[] = [
  { network: '255.255.255.255', prefix: 32, family: 4, label: 'broadcast' },
  { network: '127.0.0.0', prefix: 8, family: 4, label: 'loopback' },
  { network: '0.0.0.0', prefix: 8, family: 4, label: 'não especificado' },
  { network: '169.254.0.0', prefix: 16, family: 4, label: 'link-local' },
  { network: '10.0.0.0', prefix: 8, family: 4, label: 'privado' },
  { network: '172.16.0.0', prefix: 12, family: 4, label: 'privado' },
  { network: '192.168.0.0', prefix: 16, family: 4, label: 'privado' },
  { network: '100.64.0.0', prefix: 10, family: 4, label: 'CGNAT' },
  { network: '224.0.0.0', prefix: 4, family: 4, label: 'multicast' },
  { network: '240.0.0.0', prefix: 4, family: 4, label: 'reservado' },
  { network: '::1', prefix: 128, family: 6, label: 'loopback' },
  { network: '::', prefix: 128, family: 6, label: 'não especificado' },
  // IPv4-compatible addresses (::a.b.c.d), deprecated: no partner has one.
  { network: '::', prefix: 96, family: 6, label: 'reservado' },
  { network: 'fe80::', prefix: 10, family: 6, label: 'link-local' },
  { network: 'fc00::', prefix: 7, family: 6, label: 'IPv6 local única' },
  { network: 'ff00::', prefix: 8, family: 6, label: 'multicast' },
];

/** What REATIVA_DELIVERY_ALLOW_HOSTS means when unset with the embedded stack: partners on this machine. */
export const EMBEDDED_STACK_ALLOW_HOSTS: readonly string[] = ['127.0.0.1', '::1'];

/** The value that means "no exception" (an empty variable counts as unset). */
export const NO_ALLOWED_HOSTS = 'none';

export type AllowEntry =
  | { readonly kind: 'host'; readonly name: string }
  | { readonly kind: 'network'; readonly address: string; readonly prefix: number; readonly family: AddressFamily };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** What may stand where a host goes: letters, digits, dots, hyphens, underscores (IDN in any script). */
const HOST_TEXT = /^[\p{L}\p{N}._-]+$/u;

/** An entry's address as the WHATWG URL parser normalises it ("127.1", "0x7f000001" → 127.0.0.1; IPv6 compressed), or undefined. */
function normalisedHost(text: string): { host: string; family: AddressFamily | undefined } | undefined {
  try {
    if (text.includes(':')) {
      const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      return { host, family: 6 };
    }
    if (!HOST_TEXT.test(text)) return undefined;
    const host = new URL(`http://${text}/`).hostname.replace(/\.$/, '');
    return { host, family: IPV4.test(host) ? 4 : undefined };
  } catch {
    return undefined;
  }
}

/** One entry of the allow list: a host name, an IP, or a CIDR (`10.1.0.0/16`, `fd00::/8`). */
export function parseAllowEntry(text: string): AllowEntry | string {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const parsed = normalisedHost(address);
  if (!parsed) return `"${text}" não é um nome de host, IP ou CIDR`;
  if (slash === -1) {
    return parsed.family ? { kind: 'network', address: parsed.host, prefix: parsed.family === 4 ? 32 : 128, family: parsed.family } : { kind: 'host', name: parsed.host };
  }
  const max = parsed.family === 4 ? 32 : 128;
  const prefixText = text.slice(slash + 1);
  if (!parsed.family) return `"${text}": um CIDR precisa de um IP antes da barra`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return `"${text}": o prefixo deve ir de 0 a ${max}`;
  return { kind: 'network', address: parsed.host, prefix: Number(prefixText), family: parsed.family };
}

/** The entry as text again, normalised (`127.1` → `127.0.0.1`, single IPs without a prefix). */
export function formatAllowEntry(entry: AllowEntry): string {
  if (entry.kind === 'host') return entry.name;
  return entry.prefix === (entry.family === 4 ? 32 : 128) ? entry.address : `${entry.address}/${entry.prefix}`;
}

/**
 * REATIVA_DELIVERY_ALLOW_HOSTS: comma-separated host names, IPs and CIDRs,
 * normalised; `none` for no exception. Problems name each bad entry.
 */
export function parseAllowHosts(text: string): { readonly entries: readonly string[]; readonly problems: readonly string[] } {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 1 && parts[0]!.toLowerCase() === NO_ALLOWED_HOSTS) return { entries: [], problems: [] };
  const entries: string[] = [];
  const problems: string[] = [];
  for (const part of parts) {
    const entry = parseAllowEntry(part);
    if (typeof entry === 'string') problems.push(entry);
    else entries.push(formatAllowEntry(entry));
  }
  return { entries, problems };
}

export interface AddressPolicyOptions {
  /** Normalised entries of REATIVA_DELIVERY_ALLOW_HOSTS (host names, IPs, CIDRs). */
  readonly allowHosts: readonly string[];
  /** REATIVA_DELIVERY_HTTPS_ONLY: refuse http:// URLs. */
  readonly httpsOnly: boolean;
}

const ALLOW_VARIABLE = 'REATIVA_DELIVERY_ALLOW_HOSTS';

/**
 * The guard's decisions. Refusals are reasons for operators, in Portuguese,
 * ending with the variable that makes an exception; undefined means allowed.
 */
export class AddressPolicy {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNetworks: BlockList;
  private readonly refused: { readonly label: string; readonly list: BlockList }[] = [];

  constructor(
    private readonly options: AddressPolicyOptions,
    newBlockList: () => BlockList,
  ) {
    this.allowedNetworks = newBlockList();
    for (const text of options.allowHosts) {
      const entry = parseAllowEntry(text);
      if (typeof entry === 'string') throw new RangeError(`${ALLOW_VARIABLE}: ${entry}`);
      if (entry.kind === 'host') this.allowedHosts.add(entry.name);
      else this.allowedNetworks.addSubnet(entry.address, entry.prefix, entry.family === 4 ? 'ipv4' : 'ipv6');
    }
    // One list per label, in the order of REFUSED_RANGES, so a match names its range.
    for (const range of REFUSED_RANGES) {
      let group = this.refused.find((g) => g.label === range.label);
      if (!group) this.refused.push((group = { label: range.label, list: newBlockList() }));
      group.list.addSubnet(range.network, range.prefix, range.family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** A URL scheme the guard refuses (http:// with REATIVA_DELIVERY_HTTPS_ONLY). */
  refuseProtocol(protocol: string): string | undefined {
    if (this.options.httpsOnly && protocol !== 'https:') return `endereço recusado: ${protocol}// não é permitido, só https:// (REATIVA_DELIVERY_HTTPS_ONLY)`;
    return undefined;
  }

  /** A host name in the allow list: connections to it are not checked further. */
  allowsHost(hostname: string): boolean {
    return this.allowedHosts.size > 0 && this.allowedHosts.has(hostname.toLowerCase().replace(/\.$/, ''));
  }

  /**
   * Whether a connection may go to `address` (an IP, of `family`): allowed
   * when it is in none of the refused ranges or in an allowed network.
   * `hostname`: the name it was resolved from, for the reason.
   */
  refuseAddress(address: string, family: AddressFamily, hostname?: string): string | undefined {
    // A scope (fe80::1%eth0) is not part of the address.
    const ip = family === 6 && address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const range = this.refused.find((g) => g.list.check(ip, type));
    if (!range || this.allowedNetworks.check(ip, type)) return undefined;
    const what = hostname && hostname !== address ? `${hostname} resolve para ${ip}, que é ${range.label}` : `${ip} é ${range.label}`;
    return `endereço recusado: ${what} (${ALLOW_VARIABLE})`;
  }
}
