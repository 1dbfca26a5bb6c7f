import { describe, expect, it } from 'vitest';
import { describeConfigWarnings, parseConfig } from '../src/config.ts';

function warningsOf(env: Record<string, string>): string[] {
  return describeConfigWarnings(parseConfig(env), env);
}

describe('start warnings', () => {
  it.each([
    'votre_admin_static_token',
    'changeme-changeme-changeme',
    'your_admin_token_here',
    'x'.repeat(20),
  ])('warns, without echoing it, when ADMIN_STATIC_TOKEN is the placeholder %s', (token) => {
    const warnings = warningsOf({ ADMIN_STATIC_TOKEN: token });
    expect(warnings).toEqual([
      'ADMIN_STATIC_TOKEN is still a placeholder anyone can guess: set a long random value (openssl rand -hex 32) or remove it to turn the admin API off',
    ]);
    expect(warnings.join('\n')).not.toContain(token);
  });

  it('says nothing about a random admin token', () => {
    expect(warningsOf({ ADMIN_STATIC_TOKEN: '3f9c1e0a7b2d4c5e8f60718293a4b5c6' })).toEqual([]);
  });

  it("warns when IPP's FLASK_HOST=0.0.0.0 listens publicly with PUBLIC_URL unset", () => {
    expect(warningsOf({ FLASK_HOST: '0.0.0.0', FLASK_PORT: '5000' })).toEqual([
      'listening on 0.0.0.0:5000 while PUBLIC_URL is unset: links handed out point at http://127.0.0.1:5000, which students cannot reach; set PUBLIC_URL to the address they use (https://planning.example.org)',
    ]);
    expect(warningsOf({ HOST: '192.0.2.10' })).toHaveLength(1);
    expect(warningsOf({ HOST: '0.0.0.0', PUBLIC_URL: 'https://planning.example.org' })).toEqual([]);
    expect(warningsOf({ HOST: '127.0.0.1' })).toEqual([]);
    expect(warningsOf({ HOST: '::1' })).toEqual([]);
  });
});

describe('Docker: the values the image pins win in the container', () => {
  const image = {
    CONTAINER_HOST: '0.0.0.0',
    CONTAINER_PORT: '3000',
    CONTAINER_DATABASE_PATH: '/data/planning-proxy.db',
    PUBLIC_URL: 'https://planning.example.org',
  };

  it("over an IPP .env's FLASK_PORT and FLASK_HOST, and says so", () => {
    const env = { ...image, FLASK_PORT: '5000', FLASK_HOST: '127.0.0.1' };
    const config = parseConfig(env);
    expect(config.feed.host).toBe('0.0.0.0');
    expect(config.feed.port).toBe(3000);
    expect(describeConfigWarnings(config, env)).toEqual([
      'FLASK_HOST=127.0.0.1 is ignored in the container, which uses 0.0.0.0: the address is fixed in the container',
      'FLASK_PORT=5000 is ignored in the container, which uses 3000: publish another host port in docker-compose.yml',
    ]);
  });

  it('over HOST, PORT and DATABASE_PATH from .env', () => {
    const env = { ...image, HOST: '127.0.0.1', PORT: '8080', DATABASE_PATH: './data/x.db' };
    const config = parseConfig(env);
    expect([config.feed.host, config.feed.port, config.database.path]).toEqual([
      '0.0.0.0',
      3000,
      '/data/planning-proxy.db',
    ]);
    expect(describeConfigWarnings(config, env)).toHaveLength(3);
  });

  it('quietly when the compose file pins the same values', () => {
    const env = {
      ...image,
      HOST: '0.0.0.0',
      PORT: '3000',
      DATABASE_PATH: '/data/planning-proxy.db',
    };
    expect(describeConfigWarnings(parseConfig(env), env)).toEqual([]);
  });

  it('and outside a container nothing changes', () => {
    const config = parseConfig({ FLASK_PORT: '5000', DATABASE_PATH: './data/x.db' });
    expect([config.feed.host, config.feed.port, config.database.path]).toEqual([
      '127.0.0.1',
      5000,
      './data/x.db',
    ]);
  });
});
