import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type AutocompleteInteraction,
} from 'discord.js';
import { AppError, toSectionKey, type SectionSpec } from '../core/index.ts';
import type { SectionRow } from '../db/index.ts';
import type { CommandContext } from './command.ts';
import { commandTexts } from './messages.ts';
import { excerpt, FREE_TEXT_MAX_LENGTH } from './text-safety.ts';

const MAX_CHOICES = 25;

/** The `section` option most commands take, completed from the configured sections. */
export function sectionOption(required: boolean): APIApplicationCommandBasicOption {
  return {
    type: ApplicationCommandOptionType.String,
    name: 'section',
    description: commandTexts.optionSection.fr,
    description_localizations: {
      'en-US': commandTexts.optionSection.en,
      'en-GB': commandTexts.optionSection.en,
    },
    required,
    autocomplete: true,
    max_length: FREE_TEXT_MAX_LENGTH,
  };
}

/** Configured sections matching what the user typed so far (name or key, anywhere in it). */
export function sectionChoices(
  sections: readonly SectionSpec[],
  typed: string,
): { name: string; value: string }[] {
  const needle = typed.trim().toLowerCase();
  return sections
    .filter((section) => needle === '' || section.name.toLowerCase().includes(needle))
    .slice(0, MAX_CHOICES)
    .map((section) => ({ name: section.name, value: section.key }));
}

export async function respondWithSections(
  interaction: AutocompleteInteraction,
  context: CommandContext,
): Promise<void> {
  await interaction.respond(
    sectionChoices(context.deps.config.sections, interaction.options.getFocused()),
  );
}

/** The stored section for an option value (a key from autocomplete, or a typed name). */
export function getSectionOrThrow(value: string, context: CommandContext): SectionRow {
  const key = toSectionKey(value);
  const configured = context.deps.config.sections.find((section) => section.key === key);
  const row =
    configured === undefined ? undefined : context.deps.repositories.sections.findByKey(key);
  if (row === undefined) {
    throw new AppError('section.unknown', `unknown section (${String(value.length)} characters)`, {
      publicMessage: context.t.unknownSection(
        excerpt(value),
        context.deps.config.sections.map((section) => section.name),
      ),
    });
  }
  return row;
}
