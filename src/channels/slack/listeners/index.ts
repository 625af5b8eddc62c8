import type { App } from '@slack/bolt';
import type { ChannelKit } from '../../../core/channel-kit.ts';
import type { Logger } from '../../../core/log.ts';
import type { CrmDb } from '../../../db/port.ts';
import type { UserDirectory } from '../identity.ts';
import { registerActions } from './actions.ts';
import { registerCommands } from './commands.ts';
import { listenerContext } from './context.ts';
import { registerEvents } from './events.ts';
import { registerMessages } from './messages.ts';
import { registerShortcuts } from './shortcuts.ts';
import { registerViews } from './views.ts';

export { ESCALATE_REACTION } from './events.ts';
export { ESCALATE_SHORTCUT } from './shortcuts.ts';

/** Every Slack entry point, one file per surface: each acks first, then hands the request to the channel kit. */
export function registerListeners(app: App, kit: ChannelKit, users: UserDirectory, log: Logger, db: CrmDb): void {
  const deps = listenerContext(app, kit, users, log, db);
  for (const register of [
    registerCommands,
    registerMessages,
    registerShortcuts,
    registerActions,
    registerViews,
    registerEvents,
  ])
    register(deps);
}
