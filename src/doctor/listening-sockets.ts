/**
 * Which TCP ports a container listens on, read from /proc/net/tcp and tcp6 of its network namespace:
 * works for any image (no netstat or ss needed inside), so the doctor can say "listens on 5000, not 8000".
 */

export interface ListeningSocket {
  /** "0.0.0.0", "127.0.0.1", "::", "::1" or another address. */
  address: string;
  port: number;
}

const TCP_LISTEN = '0A';

function ipv4(hex: string): string {
  // /proc stores the address in host byte order (little-endian on x86 and arm64).
  const bytes = hex.match(/../g)!.map((byte) => parseInt(byte, 16)).reverse();
  return bytes.join('.');
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${ipv4(hex.slice(24))}`;
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8).match(/../g)!.reverse().join('');
    words.push(word.slice(0, 4), word.slice(4));
  }
  return words.map((w) => w.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6; returns the sockets in LISTEN state. */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== TCP_LISTEN) continue;
    const [addressHex, portHex] = fields[1]!.split(':');
    if (!addressHex || !portHex) continue;
    const address = addressHex.length === 8 ? ipv4(addressHex) : ipv6(addressHex);
    sockets.push({ address, port: parseInt(portHex, 16) });
  }
  return sockets;
}

/** Whether a socket accepts connections from outside the container (not only loopback). */
export function reachableFromOutside(socket: ListeningSocket): boolean {
  return !(socket.address.startsWith('127.') || socket.address === '::1' || socket.address.startsWith('::ffff:127.'));
}
