import { createApp } from '../app.ts';
import { parseConfig } from '../config.ts';
import { createLogger, isAppError } from '../core/index.ts';
import { VERSION } from '../version.ts';
import { adminCommand } from './admin.command.ts';
import { backupCommand } from './backup.command.ts';
import { commandsDeployCommand } from './commands-deploy.command.ts';
import { importIppCommand } from './import-ipp.command.ts';
import { scrapeCommand } from './scrape.command.ts';
import { tokenCommand } from './token.command.ts';

const USAGE = `usage: npm run cli -- <command>

  scrape [--section NAME] [--json]     scrape now and print a summary per section
  token create --name NAME [--section SECTION]
                                       a feed link (no section: every section, IPP style)
  token revoke --token T | --name N | --prefix P
  token list [--json] [--all]          live links (never the token itself)
  commands deploy [--guild ID]         register the Discord slash commands now
  import-ipp PATH/tokens.json          import IPP's tokens (stored hashed; links keep working)
  backup PATH                          write a consistent copy of the database to PATH
  admin link                           a one-time login link to the web dashboard (/admin)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  const config = parseConfig(process.env);
  // Logs go to stderr so that --json output stays machine-readable.
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: process.stderr,
  });
  const app = createApp({ config, logger, version: VERSION });
  const print = (line: string) => {
    process.stdout.write(`${line}\n`);
  };
  try {
    switch (command) {
      case 'scrape':
        return await scrapeCommand(args, { runScrape: app.runScrape, print });
      case 'token':
        return await tokenCommand(args, {
          repositories: app.repositories,
          config,
          clock: app.clock,
          print,
        });
      case 'commands':
        return await commandsDeployCommand(args, { config, repositories: app.repositories, print });
      case 'import-ipp':
        return await importIppCommand(args, {
          repositories: app.repositories,
          clock: app.clock,
          print,
        });
      case 'admin':
        return await adminCommand(args, {
          repositories: app.repositories,
          config,
          clock: app.clock,
          print,
        });
      case 'backup':
        return await backupCommand(args, { database: app.database, print });
      default:
        process.stderr.write(`unknown command "${command}"\n${USAGE}`);
        return 1;
    }
  } finally {
    await app.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = isAppError(error) ? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}
