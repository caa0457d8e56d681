import { request } from 'node:http';

/** One notification delivery attempt. */
export interface DeliveryAttempt {
  /** 1-based attempt number. */
  readonly attempt: number;
  /** HTTP status, or undefined when the connection failed. */
  readonly status?: number;
  /** Reply body. */
  readonly body?: string;
  /** Whether the reply was the provider's exact acknowledgement. */
  readonly acknowledged: boolean;
}

/** How a simulator delivers a notification: the provider's retry policy, compressed in time. */
export interface DeliveryPolicy {
  /** Maximum attempts (LianLian: 30, Allinpay: 3 retries). */
  readonly attempts: number;
  /** Pause between attempts in ms (the real providers wait minutes). */
  readonly intervalMs: number;
  /** Whether a reply is the exact acknowledgement that stops retries. */
  readonly isAck: (status: number, body: string) => boolean;
  /** Content type of the notification body. */
  readonly contentType: string;
  /** Per-attempt timeout in ms (default 2000). */
  readonly timeoutMs?: number;
}

/** Posts one body to a loopback URL; resolves with status and body, or undefined on failure. */
export function postOnce(url: string, body: string | Uint8Array, contentType: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.reject(new Error(`simulators deliver only to loopback, not ${target.hostname}`));
  }
  return new Promise((resolve) => {
    const req = request(target, { method: 'POST', headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/**
 * Delivers a notification with a retry policy until it is acknowledged exactly or attempts run out.
 * Resolves with every attempt made.
 */
export async function deliver(url: string, body: string | Uint8Array, policy: DeliveryPolicy): Promise<readonly DeliveryAttempt[]> {
  const attempts: DeliveryAttempt[] = [];
  for (let i = 1; i <= policy.attempts; i += 1) {
    const r = await postOnce(url, body, policy.contentType, policy.timeoutMs);
    const acknowledged = r !== undefined && policy.isAck(r.status, r.body);
    attempts.push({ attempt: i, ...(r ? { status: r.status, body: r.body } : {}), acknowledged });
    if (acknowledged) break;
    if (i < policy.attempts) await new Promise((res) => setTimeout(res, policy.intervalMs));
  }
  return attempts;
}
