import type { Attributes } from '@opentelemetry/api';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResultAsync } from '../errors/result.js';
import type { Capability, CapabilityServices } from '../plugin/capabilities.js';
import type { HttpTransport } from '../ports/transport.js';
import { ATTR } from './names.js';
import type { Telemetry } from './telemetry.js';

/** Who a wrapped service or transport serves: the plugin and the instance. */
export interface InstrumentedInstance {
  /** Instance id. */
  readonly id: string;
  /** Plugin id. */
  readonly pluginId: string;
}

/** The merchant reference a capability call's first argument names, by `capability.method`. */
const REFERENCES: Readonly<Record<string, (arg: Record<string, unknown>) => unknown>> = {
  'payments.create': (a) => a.orderId,
  'payments.query': (a) => a.orderId,
  'refunds.refund': (a) => a.refundId,
  'refunds.query': (a) => a.refundId,
  'preauth.capture': (a) => (a.payment as Record<string, unknown> | undefined)?.orderId,
  'preauth.void': (a) => (a.payment as Record<string, unknown> | undefined)?.orderId,
  'preauth.query': (a) => (a.payment as Record<string, unknown> | undefined)?.orderId,
  'payouts.submit': (a) => a.payoutId,
  'payouts.confirm': (a) => (a.request as Record<string, unknown> | undefined)?.payoutId,
  'payouts.query': (a) => a.payoutId,
};

/** The capability methods that call the provider: each becomes a `paykit.provider.call` span. */
const PROVIDER_CALLS: { readonly [C in Capability]: readonly string[] } = {
  payments: ['create', 'query'],
  refunds: ['refund', 'query'],
  preauth: ['capture', 'void', 'query'],
  payouts: ['submit', 'confirm', 'query'],
  statements: ['fetch'],
  // Verification is local (no provider call): the notification span covers it.
  notifications: [],
};

function referenceOf(operation: string, arg: unknown): string | undefined {
  const pick = REFERENCES[operation];
  if (pick === undefined || typeof arg !== 'object' || arg === null) return undefined;
  try {
    const v = pick(arg as Record<string, unknown>);
    return typeof v === 'string' ? v.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/** Every method of an object, from its own properties and its prototypes', bound to it. */
function boundMethods(target: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let proto: object | null = target; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name in out) continue;
      const v: unknown = Reflect.get(target, name);
      if (typeof v === 'function') out[name] = (v as (...a: unknown[]) => unknown).bind(target);
    }
  }
  return out;
}

/**
 * A capability service whose provider calls run in `paykit.provider.call` spans and are counted;
 * every other method is the service's own, bound to it. Built once per instance and capability.
 */
export function instrumentService<C extends Capability>(telemetry: Telemetry, capability: C, instance: InstrumentedInstance, service: CapabilityServices[C]): CapabilityServices[C] {
  const methods = PROVIDER_CALLS[capability];
  if (methods.length === 0) return service;
  const out = boundMethods(service as object);
  for (const method of methods) {
    const own = out[method];
    if (typeof own !== 'function') continue;
    const operation = `${capability}.${method}`;
    out[method] = (arg: unknown, ...rest: unknown[]): PayResultAsync<unknown> => {
      const reference = referenceOf(operation, arg);
      return telemetry.providerCall({ provider: instance.pluginId, instance: instance.id, operation, ...(reference !== undefined ? { reference } : {}) },
        () => (own as (...a: unknown[]) => PayResultAsync<unknown>)(arg, ...rest));
    };
  }
  return out as unknown as CapabilityServices[C];
}

/** The host of a URL, or undefined when it is not one (never the path or query: they may carry data). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The transport an instance's plugin gets: the merchant's, with a `paykit.http` span per request
 * (method, host, the plugin's operation name, status, attempt) when something traces. With nothing
 * registered it is one check and a direct call.
 */
export function instrumentTransport(telemetry: Telemetry, instance: InstrumentedInstance, transport: HttpTransport): HttpTransport {
  return {
    send(request, options) {
      if (telemetry.tracer() === undefined) return transport.send(request, options);
      const attributes: Attributes = {
        [ATTR.provider]: instance.pluginId, [ATTR.instance]: instance.id, [ATTR.httpOperation]: String(options.operation).slice(0, 64),
        [ATTR.httpMethod]: request.method,
      };
      const host = hostOf(request.url);
      if (host !== undefined) attributes[ATTR.serverAddress] = host;
      const span = telemetry.httpRequest(attributes);
      if (span === undefined) return transport.send(request, options);
      let sent: ReturnType<HttpTransport['send']>;
      try {
        sent = transport.send(request, options);
      } catch (e) {
        span.finish(undefined, PaymentErrors.internal('the transport threw', { cause: e }));
        throw e;
      }
      return sent.map((reply) => {
        span.finish(reply.status);
        return reply;
      }).mapErr((e) => {
        span.finish(undefined, e);
        return e;
      });
    },
  };
}
