/**
 * Crash safety: the real app in a child process (crash-driver.ts) scrapes a loopback upstream whose
 * calendar changes on every request, issues tokens over the admin API and delivers alerts to the
 * fake Discord; it is SIGKILLed at random points, CRASH_CYCLES times (default 50). After each kill
 * the database must pass integrity_check, hold one whole snapshot per section, keep every token
 * that got a 201; after a final clean run every alert is delivered exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFeedToken } from '../../src/core/index.ts';
import { startFakeDiscord } from '../fake-discord/index.ts';
import {
  buildIcs,
  createRandom,
  findSecrets,
  startUpstream,
  suiteSeed,
  tomorrow,
} from './helpers.ts';

const DRIVER = new URL('./crash-driver.ts', import.meta.url).pathname;
const CYCLES = Number(process.env.CRASH_CYCLES ?? 50);
const ADMIN_TOKEN = 'crash-admin-token-0123456789abcdef';
const BOT_TOKEN = 'MTMwMDAwMDAwMDAwMDAwMDAwMA.crash.bot-token-secret-value';
const SECTIONS = ['alpha', 'beta'] as const;
const EVENTS_PER_SECTION = 4;

type Child = {
  child: ChildProcess;
  ready: Promise<string>;
  exited: Promise<void>;
};

describe('crash safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-crash-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `SIGKILL during scrapes, token creation and alert delivery loses nothing (${CYCLES} cycles)`,
    // 50 cycles take about 90 s on a quiet 2-core machine and over 300 s when other test runs
    // share it: the limit only guards against a hang, so it grows with the number of cycles.
    { timeout: 60_000 + CYCLES * 10_000 },
    async () => {
      const seed = suiteSeed();
      console.log(`[crash] seed ${seed} (replay: RESILIENCE_SEED=${seed})`);
      const random = createRandom(seed);
      const started = Date.now();

      const versions = new Map<string, number>();
      const firstDay = tomorrow(new Date());
      const upstream = await startUpstream((path) => {
        const section = path.slice(1).replace(/\.ics$/, '');
        const version = (versions.get(section) ?? 0) + 1;
        versions.set(section, version);
        const events = Array.from({ length: EVENTS_PER_SECTION }, (_, index) => ({
          uid: `${section}-${index}`,
          start: new Date(firstDay.getTime() + index * 86_400_000 + 8 * 3_600_000),
          summary: `Cours ${section} ${index} v${version}`,
          description: `snapshot v${version}`,
        }));
        return { body: buildIcs(events) };
      });
      const fake = await startFakeDiscord({ token: BOT_TOKEN });
      const databasePath = join(dir, 'crash.db');
      const env = {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        SECTIONS: SECTIONS.map((name) => `${name}:${upstream.origin}/${name}.ics`).join(','),
        DATABASE_PATH: databasePath,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'debug',
        ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
        FEED_RATE_LIMIT: '100000',
        FEED_NOT_FOUND_RATE_LIMIT: '100000',
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_GUILD_ID: fake.guild.id,
        ALERTS_CHANNEL_ID: fake.channels.alerts.id,
        SCRAPE_DROP_CONFIRMATIONS: '3',
      };
      const logLines: string[] = [];
      const issuedTokens: string[] = [];
      const lastVersion = new Map<string, number>();
      let killedBeforeReady = 0;
      let killedAfterReady = 0;

      function spawnDriver(extra: Record<string, string> = {}): Child {
        const child = spawn(process.execPath, [DRIVER], {
          env: { ...env, ...extra },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let buffer = '';
        let resolveReady: (address: string) => void = () => undefined;
        const ready = new Promise<string>((resolve) => {
          resolveReady = resolve;
        });
        const onData = (chunk: Buffer): void => {
          buffer += chunk.toString('utf8');
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            logLines.push(line);
            if (line.startsWith('READY ')) resolveReady(line.slice(6));
            newline = buffer.indexOf('\n');
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        const exited = new Promise<void>((resolve) => {
          child.on('exit', () => {
            if (buffer !== '') logLines.push(buffer);
            resolve();
          });
        });
        return { child, ready, exited };
      }

      async function createTokens(address: string, alive: () => boolean): Promise<void> {
        let index = 0;
        while (alive()) {
          index += 1;
          try {
            const response = await fetch(`${address}/admin/create_token`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${ADMIN_TOKEN}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify({
                name: `user-${issuedTokens.length}-${index}`,
                section: random.pick(SECTIONS),
              }),
            });
            if (response.status === 201) {
              const { token } = (await response.json()) as { token: string };
              issuedTokens.push(token);
            }
          } catch {
            // The process died mid-request: that token was never acknowledged.
          }
        }
      }

      function checkDatabase(cycle: number): void {
        const db = new Database(databasePath);
        try {
          expect(db.pragma('integrity_check', { simple: true }), `cycle ${cycle}`).toBe('ok');
          const tables = new Set(
            (
              db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
                name: string;
              }[]
            ).map((row) => row.name),
          );
          // Killed before the migrations committed: they are all-or-nothing, so nothing else exists.
          const migrated = tables.has('events');
          const partial = [...tables].filter((name) => name !== '__drizzle_migrations');
          expect(
            migrated || (partial.length === 0 && issuedTokens.length === 0),
            `cycle ${cycle}: ${partial.join(',')}`,
          ).toBe(true);
          if (!migrated) return;
          const rows = db
            .prepare(
              `SELECT s.name AS section, e.title AS title, e.description AS description
               FROM events e JOIN sections s ON s.id = e.section_id
              WHERE e.removed_at IS NULL`,
            )
            .all() as { section: string; title: string; description: string }[];
          for (const section of SECTIONS) {
            const own = rows.filter((row) => row.section === section);
            if (own.length === 0) continue;
            expect(own, `cycle ${cycle}: ${section} holds a whole snapshot`).toHaveLength(
              EVENTS_PER_SECTION,
            );
            const found = new Set(own.map((row) => /v(\d+)$/.exec(row.title)?.[1]));
            expect([...found], `cycle ${cycle}: ${section} mixes snapshots`).toHaveLength(1);
            const version = Number([...found][0]);
            for (const row of own) expect(row.description).toContain(`snapshot v${version}`);
            expect(version, `cycle ${cycle}: ${section} went backwards`).toBeGreaterThanOrEqual(
              lastVersion.get(section) ?? 0,
            );
            lastVersion.set(section, version);
          }
          const hashes = new Set(
            (
              db
                .prepare('SELECT token_hash AS hash FROM feed_tokens WHERE revoked_at IS NULL')
                .all() as {
                hash: string;
              }[]
            ).map((row) => row.hash),
          );
          const lost = issuedTokens.filter((token) => !hashes.has(hashFeedToken(token)));
          expect(lost, `cycle ${cycle}: tokens acknowledged with 201 but lost`).toEqual([]);
        } finally {
          db.close();
        }
      }

      try {
        for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
          const run = spawnDriver();
          let alive = true;
          void run.exited.then(() => {
            alive = false;
          });
          if (random.chance(0.15)) {
            // Kill during start-up (migrations, section sync, gateway login).
            await new Promise((resolve) => setTimeout(resolve, random.int(0, 600)));
            killedBeforeReady += 1;
          } else {
            const address = await Promise.race([run.ready, run.exited.then(() => '')]);
            if (!address.startsWith('http:')) {
              throw new Error(`cycle ${cycle}: the driver died before serving`);
            }
            void createTokens(address, () => alive);
            await new Promise((resolve) => setTimeout(resolve, random.int(20, 800)));
            killedAfterReady += 1;
          }
          run.child.kill('SIGKILL');
          await run.exited;
          checkDatabase(cycle);
        }

        // A final clean run delivers every pending alert, then stops gracefully.
        const final = spawnDriver({ CRASH_DRIVER_SCRAPE: '0' });
        const address = await final.ready;
        const db = new Database(databasePath, { readonly: true });
        const deadline = Date.now() + 60_000;
        let pending = -1;
        while (Date.now() < deadline) {
          pending = (
            db
              .prepare('SELECT count(*) AS n FROM alert_outbox WHERE delivered_at IS NULL')
              .get() as {
              n: number;
            }
          ).n;
          if (pending === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(pending, 'alerts still undelivered after the final clean run').toBe(0);

        const outbox = db.prepare('SELECT id FROM alert_outbox').all() as { id: number }[];
        const deliveries = db
          .prepare(
            `SELECT id, outbox_id AS outboxId, status, message_id AS messageId, nonce
             FROM alert_deliveries WHERE target_kind = 'channel'`,
          )
          .all() as {
          id: number;
          outboxId: number;
          status: string;
          messageId: string | null;
          nonce: string | null;
        }[];
        db.close();
        const messages = fake.channelMessages(fake.channels.alerts.id);
        const nonces = messages.map((message) => message.nonce);
        expect(outbox.length).toBeGreaterThan(0);
        for (const entry of outbox) {
          const own = deliveries.filter((row) => row.outboxId === entry.id);
          expect(own.length, `outbox ${entry.id} has no channel delivery`).toBeGreaterThan(0);
          for (const row of own) {
            expect(row.status, `delivery ${row.id}`).toBe('sent');
            const posted = messages.filter((message) => message.nonce === row.nonce);
            expect(posted, `delivery ${row.id} posted once`).toHaveLength(1);
            expect(posted[0]?.id).toBe(row.messageId);
          }
        }
        expect(new Set(nonces).size, 'a nonce posted twice').toBe(nonces.length);
        expect(messages, 'a message that no delivery row accounts for').toHaveLength(
          deliveries.length,
        );
        const contents = messages.map((message) =>
          JSON.stringify([message.content, message.embeds]),
        );
        expect(new Set(contents).size, 'the same alert content posted twice').toBe(contents.length);

        // Every acknowledged token still opens its feed.
        for (const token of issuedTokens) {
          const response = await fetch(`${address}/feeds/${token}.ics`);
          expect(response.status, `token ${token.slice(0, 6)}…`).toBe(200);
          await response.arrayBuffer();
        }
        final.child.kill('SIGTERM');
        await final.exited;
        checkDatabase(CYCLES + 1);

        expect(findSecrets(logLines, [BOT_TOKEN, ADMIN_TOKEN, ...issuedTokens])).toEqual([]);
        console.log(
          `[crash] ${CYCLES} SIGKILL cycles (${killedBeforeReady} during start-up, ${killedAfterReady} while running) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
            `${issuedTokens.length} tokens acknowledged, none lost; ${outbox.length} alerts, ${messages.length} messages, each posted once; ` +
            `final versions ${SECTIONS.map((section) => `${section}=v${lastVersion.get(section) ?? 0}`).join(' ')} (upstream served ${upstream.requests()})`,
        );
      } finally {
        await fake.close();
        await upstream.close();
      }
    },
  );
});
