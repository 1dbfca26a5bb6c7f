// npm runs this before `npm start`, `npm run dev`, `npm test` and `npm run cli` (pre* scripts), with
// the node those scripts will use. Plain CommonJS with nothing recent, so that even an old Node
// reads it and prints one line saying what to do, instead of ERR_UNKNOWN_FILE_EXTENSION.
'use strict';
/* global module, require, process, console -- plain CommonJS run by whatever Node npm found */

const REQUIRED = [22, 19];

/** The one-line problem with this Node version, or undefined when it can run the app. */
function problem(version) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  const major = parts[0] || 0;
  const minor = parts[1] || 0;
  if (major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])) return undefined;
  return (
    'Planning Proxy needs Node.js ' +
    REQUIRED.join('.') +
    ' or newer and npm found Node ' +
    version +
    ': run `npm install` in this directory (it installs Node 22 into node_modules for npm scripts;' +
    ' npm 11 needs the allowScripts entry of package.json), or install Node 22 from https://nodejs.org'
  );
}

module.exports = { problem };

if (require.main === module) {
  const line = problem(process.versions.node);
  if (line !== undefined) {
    // eslint-disable-next-line no-console -- the one line a person reads before anything else runs
    console.error(line);
    process.exit(1);
  }
}
