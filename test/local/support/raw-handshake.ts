import { connect } from 'node:net';

/** A guard against hanging, not a speed check. */
const ANSWER_WAIT_MS = 20_000;

interface RawUpgrade {
  method?: string;
  /** Path and query string, e.g. `/dev?token=…`. */
  path: string;
  /** Replace or remove (`undefined`) the valid upgrade's headers, or add others, in order. */
  headers?: Array<[string, string | undefined]>;
  /** Half-close the socket (send FIN) right after the request. */
  halfClose?: boolean;
}

interface RawAnswer {
  /** 0 when the server closed without an answer. */
  status: number;
  head: string;
  /** The server closed the socket (always true for a refusal; 101 is closed by this helper). */
  closed: boolean;
}

const VALID_UPGRADE: Array<[string, string]> = [
  ['Host', 'localhost'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
];

const requestText = ({ method = 'GET', path, headers = [] }: RawUpgrade): string => {
  const lines = new Map<string, string | undefined>(VALID_UPGRADE);
  const extra: Array<[string, string]> = [];
  for (const [name, value] of headers) {
    if (lines.has(name)) lines.set(name, value);
    else if (value !== undefined) extra.push([name, value]);
  }
  const all = [...[...lines].filter((entry): entry is [string, string] => entry[1] !== undefined), ...extra];
  return `${method} ${path} HTTP/1.1\r\n${all.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
};

/**
 * Sends an upgrade request byte for byte over node:net (no WebSocket library to refuse it first) and
 * resolves with the status once answered; for a refusal, once the server has also closed the socket.
 * Rejects when the server neither answers nor closes.
 */
const rawHandshake = (port: number, upgrade: RawUpgrade): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let status: number | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer${status === undefined ? '' : ` after ${status}, no close`} within ${ANSWER_WAIT_MS} ms: ${JSON.stringify(received.slice(0, 200))}`));
    }, ANSWER_WAIT_MS);
    const head = () => received.slice(0, received.indexOf('\r\n\r\n'));
    socket.on('connect', () => {
      socket.write(requestText(upgrade));
      if (upgrade.halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (status !== undefined || !received.includes('\r\n\r\n')) return;
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      if (status === 101) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status, head: head(), closed: true });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (status === 101) return;
      resolve({ status: status ?? 0, head: received.includes('\r\n\r\n') ? head() : received, closed: true });
    });
  });

export type { RawAnswer, RawUpgrade };
export { rawHandshake };
