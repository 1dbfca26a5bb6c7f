/** Text pieces of iCalendar files built by the fakes and builders. */

/** An instant as an iCalendar UTC date-time, e.g. 20261123T073000Z. */
export function icsUtc(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** A TEXT value escaped as RFC 5545 §3.3.11 asks (backslash, semicolon, comma, line breaks). */
export function escapeIcsText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n/g, '\\n');
}
