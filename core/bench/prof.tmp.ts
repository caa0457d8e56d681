import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createPaykit, InMemoryStore, type RawHttpRequest } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { simCstTimestamp, simSign } from '@paykit/provider-example/testing';
class R extends MetricReader { protected override onForceFlush() { return Promise.resolve(); } protected override onShutdown() { return Promise.resolve(); } }
const KEY='example-bench-merchant-key-0123456789', MERCHANT='M100200300';
function n(i: number): RawHttpRequest { const f: Record<string,string> = { merchant_id: MERCHANT, notify_id: `N${i}`, order_no: `B${i}`, status: 'PAID', amount: '49.65', currency: 'CNY', payment_id: `P${i}`, paid_at: simCstTimestamp(new Date(Date.UTC(2024,0,1,4))), sign_type: 'HMAC-SHA256' }; return { method: 'POST', url: '/n', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ ...f, sign: simSign(f, KEY) })) }; }
const mode = process.argv[2] ?? '';
if (mode.includes('c')) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
if (mode.includes('t')) trace.setGlobalTracerProvider(new BasicTracerProvider());
if (mode.includes('m')) metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new R()] }));
const p = (await createPaykit({ instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/n' } } } }, { plugins: [examplePlugin], store: new InMemoryStore() }))._unsafeUnwrap();
const pool = Array.from({ length: 30000 }, (_, i) => n(i));
for (let i = 0; i < 10000; i++) await p.notifications.handle('shop', pool[i]!);
const t0 = performance.now(); for (let i = 20000; i < 30000; i++) await p.notifications.handle('shop', pool[i]!);
console.log(mode || 'none', Math.round(20000 / ((performance.now() - t0) / 1000)), 'ops/s');
