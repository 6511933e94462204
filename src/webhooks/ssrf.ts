import dns from 'node:dns';
import net from 'node:net';

// Webhook targets must be public: a webhook must not reach the server's own loopback, the private network
// behind it, link-local addresses or a cloud's metadata service. Checked on the address a name resolves to,
// at send time, and that address is the one connected to (no second lookup an attacker's DNS could change).

const blocked = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** True for loopback, private, link-local, metadata and other addresses a webhook may not target. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, 'ipv6');
}

export class TargetRefused extends Error {}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a webhook's host; every address it has must be public unless private targets are allowed. */
export async function resolveTarget(hostname: string, allowPrivate: boolean): Promise<PinnedAddress> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: dns.LookupAddress[];
  try {
    addresses = net.isIP(host)
      ? [{ address: host, family: net.isIP(host) }]
      : await dns.promises.lookup(host, { all: true });
  } catch {
    throw new TargetRefused(`The host ${hostname} could not be resolved.`);
  }
  const first = addresses[0];
  if (!first) throw new TargetRefused(`The host ${hostname} has no address.`);
  if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) {
    throw new TargetRefused(
      `The host ${hostname} resolves to a loopback, private or link-local address; webhooks go to public addresses only.`,
    );
  }
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
