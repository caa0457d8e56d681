import { createPaykit, Tokens, type NotificationsCapability, type ProviderPlugin, type RawHttpRequest } from '@paykit/core';

/**
 * The notifications capability of one instance of `plugin` with `options`: the `verify` the facade
 * calls for every notification (decode, verify, map), for a notification row's subject. Throws
 * when the instance cannot be built or `check` does not verify (bench setup only).
 *
 * @example
 * ```ts
 * const notifications = await notificationsOf(lianlianWebPlugin, options, request);
 * const op = () => notifications.verify(request);
 * ```
 */
export async function notificationsOf(plugin: ProviderPlugin<any>, options: unknown, check: RawHttpRequest): Promise<NotificationsCapability> {
  const paykit = await createPaykit({ instances: { bench: { plugin: plugin.id, options } } }, { plugins: [plugin] });
  if (paykit.isErr()) throw new Error(`bench instance of ${plugin.id}: ${paykit.error.message}`);
  const notifications = paykit.value.extension('bench', Tokens.Notifications);
  if (notifications.isErr()) throw new Error(notifications.error.message);
  const verified = notifications.value.verify(check);
  if (verified.isErr()) throw new Error(`the bench notification of ${plugin.id} does not verify: ${verified.error.message}`);
  return notifications.value;
}
