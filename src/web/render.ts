import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import type { WebMessages } from './messages.ts';

export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));

/** Static assets are served under a content hash, so they can be cached for a year. */
export const STATIC_PREFIX = '/static/';

function assetUrl(file: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(`${PUBLIC_DIR}${file}`))
    .digest('hex')
    .slice(0, 12);
  return `${STATIC_PREFIX}${file}?v=${hash}`;
}

export type Assets = { readonly css: string; readonly js: string; readonly icon: string };

/**
 * Nothing but this origin: styles and the copy script are files, no inline script or style, no
 * frames, forms only to us. Inline SVG (QR code, charts) is markup, not a resource.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export type PageOptions = {
  readonly title: string;
  readonly t: WebMessages;
  /** Token and admin pages: never indexed, never cached. */
  readonly private?: boolean;
  /** Loads the copy-button script. */
  readonly script?: boolean;
  readonly logoutCsrf?: string;
};

export type Renderer = ReturnType<typeof createRenderer>;

/** Eta with auto-escaping on (`<%= %>` escapes; `<%~ %>` is used only for SVG we generate). */
export function createRenderer() {
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });
  const assets: Assets = {
    css: assetUrl('site.css'),
    js: assetUrl('copy.js'),
    icon: assetUrl('icon.svg'),
  };
  return {
    assets,
    /** Renders `view` with its data and sends it with the page security headers. */
    send(
      reply: FastifyReply,
      status: number,
      view: string,
      page: PageOptions,
      data: Record<string, unknown> = {},
    ): FastifyReply {
      const html = eta.render(`./${view}`, {
        ...data,
        title: page.title,
        t: page.t,
        assets,
        noindex: page.private === true,
        script: page.script === true,
        logoutCsrf: page.logoutCsrf,
      });
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('vary', 'Accept, Accept-Language');
      if (page.private === true) {
        reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
      } else {
        reply.header('cache-control', 'no-cache');
      }
      return reply.send(html);
    },
  };
}
