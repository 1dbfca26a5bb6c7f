import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** One representation of a rendered calendar: its bytes as sent and their strong validator. */
export type Representation = {
  readonly encoding: ContentCoding;
  readonly body: Buffer;
  readonly etag: string;
};

/** The three representations of one rendered calendar, made once per content version. */
export type Representations = {
  readonly identity: Representation;
  readonly gzip: Representation;
  readonly br: Representation;
};

// Levels chosen for a calendar of a few hundred KiB: a few milliseconds per render, and within a
// percent or two of the best ratio (ICS text is very repetitive).
const GZIP_LEVEL = 9;
const BROTLI_QUALITY = 9;

/**
 * gzip and brotli variants of `body`. Each has its own strong ETag (the identity one suffixed), as
 * RFC 9110 §8.8.3 requires for different bytes; a 304 then works per encoding.
 */
export function compressRepresentations(body: Buffer, etag: string): Representations {
  const opaque = etag.slice(1, -1);
  const gzip = gzipSync(body, { level: GZIP_LEVEL });
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  return {
    identity: { encoding: 'identity', body, etag },
    gzip: { encoding: 'gzip', body: gzip, etag: `"${opaque}-gz"` },
    br: { encoding: 'br', body: br, etag: `"${opaque}-br"` },
  };
}

export function pickRepresentation(
  feed: { readonly representations: Representations },
  coding: ContentCoding,
): Representation {
  return feed.representations[coding];
}

const negotiated = new Map<string, ContentCoding>();
const MAX_REMEMBERED = 256;

/**
 * RFC 9110 §12.5.3: the coding with the highest q-value among br and gzip (br on a tie), identity
 * when neither is acceptable. `*` stands for any coding not named. Calendar clients send a handful
 * of distinct headers, so the answer is remembered per header text.
 */
export function negotiateEncoding(header: string | undefined): ContentCoding {
  if (header === undefined || header === '') return 'identity';
  const known = negotiated.get(header);
  if (known !== undefined) return known;
  const coding = parseAcceptEncoding(header);
  if (negotiated.size >= MAX_REMEMBERED) negotiated.clear();
  negotiated.set(header, coding);
  return coding;
}

function parseAcceptEncoding(header: string): ContentCoding {
  let br: number | undefined;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const item of header.split(',')) {
    const [rawName = '', ...params] = item.split(';');
    const name = rawName.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
      if (match !== null) q = Math.min(1, Number(match[1]));
    }
    if (name === 'br') br = q;
    else if (name === 'gzip' || name === 'x-gzip') gzip = q;
    else if (name === '*') any = q;
  }
  const brQ = br ?? any ?? 0;
  const gzipQ = gzip ?? any ?? 0;
  if (brQ <= 0 && gzipQ <= 0) return 'identity';
  return brQ >= gzipQ ? 'br' : 'gzip';
}
