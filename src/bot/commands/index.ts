import type { Command, ComponentHandler } from '../command.ts';
import { alertsCommand } from './alerts.command.ts';
import { filtersCommand, filtersComponent } from './filters.command.ts';
import { notifyCommand } from './notify.command.ts';
import { planningCommand } from './planning.command.ts';
import { revokeCommand } from './revoke.command.ts';
import { statusCommand } from './status.command.ts';
import { rotateLinkButton, subscribeCommand } from './subscribe.command.ts';
import { unsubscribeCommand } from './unsubscribe.command.ts';

export const commands = [
  subscribeCommand,
  unsubscribeCommand,
  planningCommand,
  notifyCommand,
  revokeCommand,
  statusCommand,
  alertsCommand,
  filtersCommand,
] as const satisfies readonly Command[];

export const componentHandlers = [
  rotateLinkButton,
  filtersComponent,
] as const satisfies readonly ComponentHandler[];

/** The JSON Discord receives when commands are registered. */
export const commandDefinitions = commands.map((command) => command.data);
