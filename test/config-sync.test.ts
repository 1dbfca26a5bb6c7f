import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, parseConfig } from '../src/config.ts';

const root = new URL('../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

function envExampleNames(): string[] {
  return [...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
}

function readmeTableNames(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('<!-- config-table:start -->');
  const end = readme.indexOf('<!-- config-table:end -->');
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return [...readme.slice(start, end).matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!);
}

describe('configuration documentation', () => {
  it('lists every schema variable in .env.example, once, and nothing else', () => {
    const names = envExampleNames();
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('lists every schema variable in the README table, once, and nothing else', () => {
    const names = readmeTableNames();
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('parses the example values of .env.example', () => {
    const env: Record<string, string> = {};
    for (const match of read('.env.example').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/gm)) {
      env[match[1]!] = match[2]!;
    }
    // The example enables webdbf and ADE sections; credentials are blank in the file on purpose.
    env.WEB_PASSWORD = 'example-password';
    env.AURION_PASSWORD = 'example-password';
    const config = parseConfig(env);
    expect(config.sections.map((section) => section.name)).toEqual(['2A-SR', 'ADE-1A']);
  });
});
