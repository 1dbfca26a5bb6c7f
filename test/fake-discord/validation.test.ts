import { describe, expect, it } from 'vitest';
import type { JsonObject } from './payloads.ts';
import { validateChoices, validateCommands, validateMessage } from './validation.ts';

describe('fake Discord payload validation', () => {
  it('accepts a message within the limits', () => {
    expect(
      validateMessage({
        content: 'x',
        embeds: [{ title: 't', fields: [{ name: 'n', value: 'v' }] }],
        components: [
          { type: 1, components: [{ type: 2, style: 5, label: 'l', url: 'https://example.org' }] },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses what Discord refuses', () => {
    const field = { name: 'n', value: 'v'.repeat(1000) };
    expect(
      validateMessage({
        content: 'c'.repeat(2001),
        embeds: [{ fields: Array.from({ length: 7 }, () => field) }],
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'no id' }] }],
      }),
    ).toEqual([
      'content: too long',
      'embeds: more than 6000 characters in total',
      'components.0.components.0.custom_id: length',
    ]);
    expect(validateMessage({ embeds: [{ fields: [{ name: 'n', value: '' }] }] })).toEqual([
      'embeds.0.fields.0.value: length',
    ]);
  });

  it('checks string select menus', () => {
    const option = (value: string): JsonObject => ({ label: value, value });
    const menu = (options: JsonObject[], extra: JsonObject[] = []): JsonObject => ({
      components: [
        {
          type: 1,
          components: [
            { type: 3, custom_id: 'm', min_values: 0, max_values: options.length, options },
            ...extra,
          ],
        },
      ],
    });
    expect(validateMessage(menu([option('a'), option('b')]))).toEqual([]);
    expect(
      validateMessage(menu(Array.from({ length: 26 }, (_, index) => option(`v${index}`)))),
    ).toEqual([
      'components.0.components.0.options: between 1 and 25',
      'components.0.components.0.max_values: out of range',
    ]);
    expect(validateMessage(menu([option('a'.repeat(101)), option('b'), option('b')]))).toEqual([
      'components.0.components.0.options.0.label: length',
      'components.0.components.0.options.0.value: length',
      'components.0.components.0.options.2.value: duplicate',
    ]);
    expect(validateMessage(menu([option('a')], [{ type: 2, style: 2, custom_id: 'b' }]))).toEqual([
      'components.0.components.0: a select menu is alone in its row',
    ]);
  });

  it('checks autocomplete choices and command definitions', () => {
    expect(
      validateChoices({ choices: Array.from({ length: 26 }, () => ({ name: 'a', value: 'a' })) }),
    ).toEqual(['choices: too many']);
    expect(
      validateCommands([
        { name: 'Bad Name', description: '' },
        {
          name: 'ok',
          description: 'd',
          options: [
            { type: 3, name: 'a', description: 'd' },
            { type: 3, name: 'b', description: 'd', required: true },
          ],
        },
      ]),
    ).toEqual([
      '0.name: invalid',
      '0.description: length',
      '1.options.1: required options must come before optional ones',
    ]);
  });
});
