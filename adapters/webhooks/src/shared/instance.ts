import { err, ok, type Result } from 'neverthrow';
import type { InstanceChoice, WebhookPaykit, WebhookRequestLine } from './types.js';

/** Longest instance id echoed back in a reply or a log line. */
const MAX_ECHOED_ID = 64;

/** Why no instance could serve a request. */
export interface InstanceMiss {
  /** What to tell the caller (safe to send: no secrets, the id cut to 64 characters). */
  readonly message: string;
  /** True when the resolver itself failed (a bug on the merchant's side), not an unknown id. */
  readonly resolverFailed: boolean;
}

/** The last non-empty segment of a URL's path, percent-decoded; undefined when there is none or it is malformed. */
export function lastPathSegment(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const segment = path.split('/').filter((s) => s !== '').pop();
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function chooseId(choice: InstanceChoice, line: WebhookRequestLine): Result<string | undefined, InstanceMiss> {
  if ('instanceId' in choice) return ok(choice.instanceId);
  if ('instanceFromPath' in choice) return ok(lastPathSegment(line.url));
  try {
    return ok(choice.resolveInstance(line));
  } catch (e) {
    return err({ message: `the resolveInstance option threw (${e instanceof Error ? e.name : typeof e}): fix the resolver`, resolverFailed: true });
  }
}

/** What a route serves: notifications (the default), or payer returns (the `payments` capability). */
export type RouteKind = 'notifications' | 'returns';

const ROUTE_TEXT: { readonly [K in RouteKind]: { readonly capability: 'notifications' | 'payments'; readonly url: string; readonly unnamed: string; readonly does: string } } = {
  notifications: {
    capability: 'notifications', url: 'notify URL', unnamed: 'post notifications to the path ending in the instance id',
    does: 'does not receive notifications: its plugin has no notifications capability',
  },
  returns: {
    capability: 'payments', url: 'return URL', unnamed: 'send payer returns to the path ending in the instance id',
    does: 'takes no payments: its plugin has no payments capability',
  },
};

/**
 * Picks the instance a request is for and checks that paykit has it and that it serves the route
 * (receives notifications, or takes payments for a return route). Never throws.
 */
export function resolveInstance(paykit: Pick<WebhookPaykit, 'capabilities'>, choice: InstanceChoice, line: WebhookRequestLine, route: RouteKind = 'notifications'): Result<string, InstanceMiss> {
  const text = ROUTE_TEXT[route];
  const chosen = chooseId(choice, line);
  if (chosen.isErr()) return err(chosen.error);
  const id = chosen.value;
  if (typeof id !== 'string' || id === '') {
    return err({ message: `no paykit instance named in this URL: ${text.unnamed}`, resolverFailed: false });
  }
  const shown = JSON.stringify(id.slice(0, MAX_ECHOED_ID));
  let capabilities: readonly string[];
  try {
    const found = paykit.capabilities(id);
    if (found.isErr()) return err({ message: `no paykit instance ${shown} is configured: check the ${text.url} or the instance id`, resolverFailed: false });
    capabilities = found.value;
  } catch {
    return err({ message: `paykit could not look up instance ${shown}`, resolverFailed: true });
  }
  if (!capabilities.includes(text.capability)) {
    return err({ message: `paykit instance ${shown} ${text.does}`, resolverFailed: false });
  }
  return ok(id);
}
