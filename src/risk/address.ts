// Where a web rating came from, as the risk engine groups it (pure): the network, not the
// address. Citizens behind one carrier NAT or hall Wi-Fi share an IPv4 /24; an IPv6 household or
// phone changes its last 64 bits at will. The real client address is what Fastify derived through
// the trusted proxies (TRUSTED_PROXIES); an address that cannot be parsed groups as itself.
import ipaddr from 'ipaddr.js';

/** '203.0.113.0/24' or '2001:db8:1:2::/64'. */
export function networkOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') {
    const octets = (parsed as ipaddr.IPv4).octets;
    return `${octets[0]}.${octets[1]}.${octets[2]}.0/24`;
  }
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** The Fastify `trustProxy` value for a TRUSTED_PROXIES list: false when none is configured. */
export function trustProxyOf(trusted: readonly string[]): false | string[] {
  return trusted.length === 0 ? false : [...trusted];
}
