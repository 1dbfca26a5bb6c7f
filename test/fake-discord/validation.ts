import type { Json, JsonObject } from './payloads.ts';

/**
 * The payload limits Discord enforces (it answers 400 with code 50035 "Invalid Form Body"), so a
 * bot that breaks one fails here as it would in production.
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedsTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  url: 512,
  nonce: 25,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  commands: 100,
  commandName: 32,
  commandDescription: 100,
  options: 25,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
} as const;

const COMMAND_NAME = /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const text = (value: Json | undefined): string => (typeof value === 'string' ? value : '');
const list = (value: Json | undefined): JsonObject[] =>
  Array.isArray(value)
    ? value.filter(
        (item): item is JsonObject =>
          typeof item === 'object' && item !== null && !Array.isArray(item),
      )
    : [];

/** Problems with a message body (create, edit, interaction reply, webhook); [] when valid. */
export function validateMessage(body: JsonObject): string[] {
  const problems: string[] = [];
  if (text(body.content).length > LIMITS.content) problems.push('content: too long');
  if (typeof body.nonce === 'string' && body.nonce.length > LIMITS.nonce) {
    problems.push('nonce: too long');
  }
  const embeds = list(body.embeds);
  if (embeds.length > LIMITS.embeds) problems.push('embeds: too many');
  let total = 0;
  for (const [index, embed] of embeds.entries()) {
    const at = `embeds.${index}`;
    const title = text(embed.title);
    const description = text(embed.description);
    const footer = text((embed.footer as JsonObject | undefined)?.text);
    const author = text((embed.author as JsonObject | undefined)?.name);
    if (title.length > LIMITS.embedTitle) problems.push(`${at}.title: too long`);
    if (description.length > LIMITS.embedDescription) problems.push(`${at}.description: too long`);
    if (footer.length > LIMITS.footer) problems.push(`${at}.footer.text: too long`);
    if (author.length > LIMITS.author) problems.push(`${at}.author.name: too long`);
    total += title.length + description.length + footer.length + author.length;
    const fields = list(embed.fields);
    if (fields.length > LIMITS.embedFields) problems.push(`${at}.fields: too many`);
    for (const [fieldIndex, field] of fields.entries()) {
      const name = text(field.name);
      const value = text(field.value);
      if (name.length === 0 || name.length > LIMITS.fieldName) {
        problems.push(`${at}.fields.${fieldIndex}.name: length`);
      }
      if (value.length === 0 || value.length > LIMITS.fieldValue) {
        problems.push(`${at}.fields.${fieldIndex}.value: length`);
      }
      total += name.length + value.length;
    }
  }
  if (total > LIMITS.embedsTotal) problems.push('embeds: more than 6000 characters in total');
  const rows = list(body.components);
  if (rows.length > LIMITS.actionRows) problems.push('components: too many rows');
  for (const [rowIndex, row] of rows.entries()) {
    const components = list(row.components);
    if (row.type !== 1 || components.length === 0 || components.length > LIMITS.buttonsPerRow) {
      problems.push(`components.${rowIndex}: invalid action row`);
    }
    for (const [index, component] of components.entries()) {
      const at = `components.${rowIndex}.components.${index}`;
      if (component.type === 3) {
        if (components.length !== 1) problems.push(`${at}: a select menu is alone in its row`);
        problems.push(...validateStringSelect(component, at));
        continue;
      }
      if (component.type !== 2) continue;
      if (text(component.label).length > LIMITS.buttonLabel) problems.push(`${at}.label: too long`);
      const isLink = component.style === 5;
      if (isLink) {
        const url = text(component.url);
        if (!/^(https?|discord):\/\//.test(url) || url.length > LIMITS.url) {
          problems.push(`${at}.url: invalid`);
        }
        if (component.custom_id !== undefined)
          problems.push(`${at}: link buttons have no custom_id`);
      } else {
        const customId = text(component.custom_id);
        if (customId.length === 0 || customId.length > LIMITS.customId) {
          problems.push(`${at}.custom_id: length`);
        }
      }
    }
  }
  return problems;
}

/** A string select menu (component type 3): options, values and their lengths. */
function validateStringSelect(menu: JsonObject, at: string): string[] {
  const problems: string[] = [];
  const customId = text(menu.custom_id);
  if (customId.length === 0 || customId.length > LIMITS.customId) {
    problems.push(`${at}.custom_id: length`);
  }
  if (text(menu.placeholder).length > LIMITS.selectPlaceholder) {
    problems.push(`${at}.placeholder: too long`);
  }
  const options = list(menu.options);
  if (options.length === 0 || options.length > LIMITS.selectOptions) {
    problems.push(`${at}.options: between 1 and ${LIMITS.selectOptions}`);
  }
  const values = new Set<string>();
  for (const [index, option] of options.entries()) {
    const where = `${at}.options.${index}`;
    const label = text(option.label);
    const value = text(option.value);
    if (label.length === 0 || label.length > LIMITS.selectOptionText) {
      problems.push(`${where}.label: length`);
    }
    if (value.length === 0 || value.length > LIMITS.selectOptionText) {
      problems.push(`${where}.value: length`);
    }
    if (text(option.description).length > LIMITS.selectOptionText) {
      problems.push(`${where}.description: too long`);
    }
    if (values.has(value)) problems.push(`${where}.value: duplicate`);
    values.add(value);
  }
  const min = typeof menu.min_values === 'number' ? menu.min_values : 1;
  const max = typeof menu.max_values === 'number' ? menu.max_values : 1;
  if (min < 0 || min > LIMITS.selectOptions) problems.push(`${at}.min_values: out of range`);
  if (max < 1 || max > LIMITS.selectOptions || max < min || max > options.length) {
    problems.push(`${at}.max_values: out of range`);
  }
  return problems;
}

/** Problems with an autocomplete result; [] when valid. */
export function validateChoices(data: JsonObject | undefined): string[] {
  const choices = list(data?.choices);
  const problems: string[] = [];
  if (choices.length > LIMITS.choices) problems.push('choices: too many');
  for (const [index, choice] of choices.entries()) {
    const name = text(choice.name);
    const value = choice.value;
    if (name.length === 0 || name.length > LIMITS.choiceName)
      problems.push(`choices.${index}.name`);
    if (typeof value === 'string' && value.length > LIMITS.choiceValue) {
      problems.push(`choices.${index}.value`);
    }
  }
  return problems;
}

function validateOptions(options: JsonObject[], at: string): string[] {
  const problems: string[] = [];
  if (options.length > LIMITS.options) problems.push(`${at}: too many options`);
  let optionalSeen = false;
  for (const [index, entry] of options.entries()) {
    const where = `${at}.${index}`;
    if (!COMMAND_NAME.test(text(entry.name))) problems.push(`${where}.name: invalid`);
    const description = text(entry.description);
    if (description.length === 0 || description.length > LIMITS.commandDescription) {
      problems.push(`${where}.description: length`);
    }
    for (const localized of Object.values((entry.description_localizations ?? {}) as JsonObject)) {
      if (text(localized).length > LIMITS.commandDescription) {
        problems.push(`${where}.description_localizations: too long`);
      }
    }
    if (entry.type === 1 || entry.type === 2) {
      problems.push(...validateOptions(list(entry.options), `${where}.options`));
      continue;
    }
    if (entry.required === true && optionalSeen) {
      problems.push(`${where}: required options must come before optional ones`);
    }
    if (entry.required !== true) optionalSeen = true;
  }
  return problems;
}

/** Problems with a bulk overwrite of application commands; [] when valid. */
export function validateCommands(commands: JsonObject[]): string[] {
  const problems: string[] = [];
  if (commands.length > LIMITS.commands) problems.push('too many commands');
  const names = new Set<string>();
  for (const [index, command] of commands.entries()) {
    const name = text(command.name);
    if (!COMMAND_NAME.test(name)) problems.push(`${index}.name: invalid`);
    if (names.has(name)) problems.push(`${index}.name: duplicate`);
    names.add(name);
    const description = text(command.description);
    if (description.length === 0 || description.length > LIMITS.commandDescription) {
      problems.push(`${index}.description: length`);
    }
    for (const localized of Object.values(
      (command.description_localizations ?? {}) as JsonObject,
    )) {
      if (text(localized).length > LIMITS.commandDescription) {
        problems.push(`${index}.description_localizations: too long`);
      }
    }
    if (
      command.default_member_permissions !== undefined &&
      command.default_member_permissions !== null &&
      !/^\d+$/.test(text(command.default_member_permissions))
    ) {
      problems.push(`${index}.default_member_permissions: not a permission bit string`);
    }
    problems.push(...validateOptions(list(command.options), `${index}.options`));
  }
  return problems;
}
