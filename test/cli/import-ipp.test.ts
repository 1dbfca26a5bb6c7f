import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIppCommand, parseIppTokens } from '../../src/cli/import-ipp.command.ts';
import { hashFeedToken } from '../../src/core/index.ts';
import { createTestClock } from '../helpers/clock.ts';
import { createTestDatabase } from '../helpers/database.ts';

const IPP_TOKENS = {
  alice: 'alice_Zm9vYmFyYmF6cXV4LWFsaWNlLXRva2VuLWZyb20taXBw',
  bob: 'bob_c2Vjb25kLXRva2VuLWZvci1ib2ItZnJvbS1pcHAtLS0t',
};

describe('import-ipp command', () => {
  it('stores IPP tokens hashed, for every section, and changes nothing the second time', async () => {
    const { repositories, sqlite, dir } = createTestDatabase();
    const path = join(dir, 'tokens.json');
    writeFileSync(path, JSON.stringify(IPP_TOKENS));
    const lines: string[] = [];
    const ctx = {
      repositories,
      clock: createTestClock('2026-11-21T08:00:00Z'),
      print: (line: string) => lines.push(line),
    };

    await importIppCommand([path], ctx);
    await importIppCommand([path], ctx);

    expect(lines).toEqual([
      'imported 2 IPP token(s), 0 already present (2 in the file)',
      'imported 0 IPP token(s), 2 already present (2 in the file)',
    ]);
    const alice = repositories.feedTokens.findActiveByHash(hashFeedToken(IPP_TOKENS.alice));
    expect(alice).toMatchObject({ owner: 'alice', ownerKind: 'ipp', sectionId: null });
    const dump = JSON.stringify(sqlite.prepare('select * from feed_tokens').all());
    expect(dump).not.toContain(IPP_TOKENS.alice);
    expect(dump).not.toContain(IPP_TOKENS.bob);
  });

  it('rejects a file that is not IPP tokens with a message naming the entry, not the value', () => {
    expect(() => parseIppTokens('[1,2]')).toThrow(/must be an object/);
    expect(() => parseIppTokens('{"carol": "short"}')).toThrow(/entry "carol"/);
    expect(() => parseIppTokens('{"carol": "short"}')).not.toThrow(/short"/);
    expect(() => parseIppTokens('not json')).toThrow(/not valid JSON/);
  });
});
