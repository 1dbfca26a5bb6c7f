import { describe, expect, it } from 'vitest';
import { maskSecretsInUrl } from '../../src/feed/redact.ts';

const TOKEN = 'ab12'.repeat(16);

describe('maskSecretsInUrl', () => {
  it('masks the token of every feed URL form', () => {
    expect(maskSecretsInUrl(`/feeds/${TOKEN}.ics`)).toBe('/feeds/[token].ics');
    expect(maskSecretsInUrl(`/feeds/${TOKEN}.ics?x=1`)).toBe('/feeds/[token].ics?x=[redacted]');
    expect(maskSecretsInUrl(`/MIAGE?token=${TOKEN}`)).toBe('/MIAGE?token=[redacted]');
    expect(maskSecretsInUrl(`/MIAGE?a=b&TOKEN=${TOKEN}#f`)).toBe(
      '/MIAGE?a=[redacted]&TOKEN=[redacted]#f',
    );
    expect(maskSecretsInUrl(`/feed/${TOKEN}`)).toBe('/feed/[redacted]');
  });

  it('leaves ordinary paths readable', () => {
    expect(maskSecretsInUrl('/healthz')).toBe('/healthz');
    expect(maskSecretsInUrl('/admin/create_token')).toBe('/admin/create_token');
    expect(maskSecretsInUrl('/G%C3%A9nie%20Info')).toBe('/G%C3%A9nie%20Info');
  });
});
