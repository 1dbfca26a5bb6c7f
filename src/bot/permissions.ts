import { PermissionFlagsBits, type Interaction } from 'discord.js';

/** Manage Server, or one of the configured admin roles; never in DMs. */
export function isAdmin(interaction: Interaction, adminRoleIds: readonly string[]): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return true;
  const roles = interaction.member.roles;
  const roleIds = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return roleIds.some((roleId) => adminRoleIds.includes(roleId));
}
