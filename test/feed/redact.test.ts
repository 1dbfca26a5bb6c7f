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

  it('masks a token in odd query and fragment forms', () => {
    const masked = [
      `/E?token%3D${TOKEN}`,
      `/E?TOKEN%3d${TOKEN}&x=1`,
      `/E?${TOKEN}`,
      `/E?a=1&token${TOKEN}`,
      `/E#${TOKEN}`,
      `/E?token%253D${TOKEN.slice(0, 40)}`,
    ].map(maskSecretsInUrl);
    for (const url of masked) {
      expect(url).not.toContain(TOKEN.slice(0, 16));
      expect(url).toContain('[redacted]');
    }
    expect(maskSecretsInUrl(`/E?token%3D${TOKEN}`)).toBe('/E?token[redacted]');
  });

  it('leaves ordinary paths readable', () => {
    expect(maskSecretsInUrl('/healthz')).toBe('/healthz');
    expect(maskSecretsInUrl('/admin/create_token')).toBe('/admin/create_token');
    expect(maskSecretsInUrl('/G%C3%A9nie%20Info')).toBe('/G%C3%A9nie%20Info');
  });
});
