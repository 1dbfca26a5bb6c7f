import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const SCRIPT = new URL('../scripts/check-node.cjs', import.meta.url).pathname;
const { problem } = require(SCRIPT) as { problem: (version: string) => string | undefined };

describe('the Node floor checked before npm start and npm test', () => {
  it('tells a too old Node, in one line, what it needs and the command to get it', () => {
    const line = problem('v20.20.2');
    expect(line).toBe(
      'Planning Proxy needs Node.js 22.19 or newer and npm found Node v20.20.2: run `npm install` in this directory (it installs Node 22 into node_modules for npm scripts; npm 11 needs the allowScripts entry of package.json), or install Node 22 from https://nodejs.org',
    );
    expect(problem('22.18.0')).toBeTypeOf('string');
  });

  it('lets 22.19 and newer through', () => {
    expect(problem('22.19.0')).toBeUndefined();
    expect(problem('22.23.3')).toBeUndefined();
    expect(problem('24.1.0')).toBeUndefined();
  });

  it("passes on the Node npm scripts run here, and package.json's engines say the same floor", () => {
    expect(spawnSync(process.execPath, [SCRIPT]).status).toBe(0);
    const pkg = require('../package.json') as {
      engines: { node: string };
      scripts: Record<string, string>;
    };
    expect(pkg.engines.node).toBe('>=22.19');
    for (const name of ['prestart', 'predev', 'pretest']) {
      expect(pkg.scripts[name]).toBe('node scripts/check-node.cjs');
    }
  });
});
