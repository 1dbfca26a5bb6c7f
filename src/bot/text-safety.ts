import { escapeMarkdown } from 'discord.js';

/** Longest free text a command option accepts (Discord enforces it in the client). */
export const FREE_TEXT_MAX_LENGTH = 100;
/** Longest piece of what a user typed that a reply quotes back. */
export const ECHO_MAX_LENGTH = 60;

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): they can make a line read
 * backwards or move text to where it looks like part of the bot's own message.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Other invisible or line-breaking controls that have no place in a one-line value. */
const OTHER_CONTROLS = /[\p{Cc}\u2028\u2029]/gu;

export function stripControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(OTHER_CONTROLS, ' ');
}

/**
 * Text that came from a school site, made inert for a Discord message: no bidi controls, Markdown
 * escaped, and nothing Discord would turn into a link, a mention or a timestamp — masked links
 * (`[text](https://…)`) lose their brackets' meaning, `<…>` forms (`<t:…>`, `<@…>`, `<https://…>`)
 * their angle brackets, and bare URLs their scheme separator (shown, not clickable).
 */
export function schoolText(text: string): string {
  // escapeMarkdown doubles backslashes, so a school's own `\[` cannot unescape the bracket.
  return (
    escapeMarkdown(stripControls(text))
      .replace(/[[\]()<>]/g, (character) => `\\${character}`)
      .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, '$1:\u2060//')
      // @everyone / @here stay text even where a message's allowed_mentions is not set.
      .replace(/@(everyone|here)\b/gi, '@\u200b$1')
  );
}

/** A short, inert quote of user input for a reply (never the whole of a long value). */
export function excerpt(text: string, max = ECHO_MAX_LENGTH): string {
  const clean = stripControls(text).replace(/\s+/g, ' ').trim();
  const short = clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
  return schoolText(short);
}
