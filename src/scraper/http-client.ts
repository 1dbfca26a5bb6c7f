import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { Agent, errors, request, type Dispatcher } from 'undici';
import { AppError } from '../core/index.ts';

export type HttpMethod = 'GET' | 'POST' | 'HEAD';

export type HttpRequest = {
  readonly url: string;
  readonly method?: HttpMethod;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Cookies sent with the request and updated from `Set-Cookie` (one jar per site session). */
  readonly cookies?: CookieJar;
  /**
   * How many redirects to follow (cookies carried along); 0 (default) returns the 3xx itself.
   * Only redirects within the origin of `url` are followed (http → https of the same host too);
   * one elsewhere fails with scraper.redirect_elsewhere.
   */
  readonly maxRedirects?: number;
  readonly signal?: AbortSignal;
};

export type HttpResponse = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
};

export type HttpClient = {
  request(options: HttpRequest): Promise<HttpResponse>;
  /** GET that requires a 2xx answer. */
  getBytes(url: string, options?: Omit<HttpRequest, 'url' | 'method'>): Promise<HttpResponse>;
  close(): Promise<void>;
};

export type HttpClientOptions = {
  readonly userAgent: string;
  /** Deadline for connect, headers and the whole body of one request. */
  readonly timeoutMs: number;
  /** Cap on the body, compressed and once decoded (a small gzip bomb cannot expand past it). */
  readonly maxBytes: number;
  /** Tests may pass a MockAgent or an Agent of their own. */
  readonly dispatcher?: Dispatcher;
};

/** A minimal cookie jar: one per site session, no domain or path scoping needed here. */
export type CookieJar = {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  clear(): void;
  header(): string | undefined;
  absorb(setCookie: string | string[] | undefined): void;
};

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    get: (name) => cookies.get(name),
    set: (name, value) => void cookies.set(name, value),
    clear: () => {
      cookies.clear();
    },
    header: () =>
      cookies.size === 0
        ? undefined
        : [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    absorb(setCookie) {
      const lines =
        setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
      for (const line of lines) {
        const pair = line.split(';', 1)[0] ?? '';
        const equals = pair.indexOf('=');
        if (equals <= 0) continue;
        const name = pair.slice(0, equals).trim();
        const value = pair.slice(equals + 1).trim();
        const expired = /;\s*max-age=0/i.test(line) || /;\s*expires=thu, 01 jan 1970/i.test(line);
        if (expired || value === '' || value.toLowerCase() === 'deleted') cookies.delete(name);
        else cookies.set(name, value);
      }
    },
  };
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** A response header as one string (the first value when it was repeated). */
export function headerOf(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URL without query string and credentials, safe for logs and error messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/**
 * undici with explicit timeouts, an honest User-Agent, a response size cap, one request at a time
 * per host (politeness), and every failure turned into an AppError with a scraper.* code.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({
          connect: { timeout: options.timeoutMs },
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          keepAliveTimeout: 10_000,
        })
      : undefined;
  const dispatcher = options.dispatcher ?? ownAgent;
  const queues = new Map<string, Promise<unknown>>();

  function serialize<T>(host: string, task: () => Promise<T>): Promise<T> {
    const previous = queues.get(host) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    queues.set(host, settled);
    void settled.then(() => {
      if (queues.get(host) === settled) queues.delete(host);
    });
    return next;
  }

  async function once(input: HttpRequest, url: string): Promise<HttpResponse> {
    const where = `${input.method ?? 'GET'} ${describeUrl(url)}`;
    const parsed = new URL(url);
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: '*/*',
      // Decoded below: a big ICS export compresses tenfold, which spares the school's bandwidth.
      'accept-encoding': 'gzip, deflate',
      ...input.headers,
    };
    if (parsed.username !== '' || parsed.password !== '') {
      const user = decodeURIComponent(parsed.username);
      const password = decodeURIComponent(parsed.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    const cookie = input.cookies?.header();
    if (cookie !== undefined) headers.cookie = cookie;
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal =
      input.signal === undefined ? deadline : AbortSignal.any([input.signal, deadline]);

    let response: Dispatcher.ResponseData;
    try {
      response = await request(parsed, {
        method: input.method ?? 'GET',
        headers,
        body: input.body,
        signal,
        dispatcher,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
    } catch (cause) {
      throw toAppError(cause, where, input.signal);
    }
    input.cookies?.absorb(response.headers['set-cookie']);

    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBytes) {
          response.body.destroy();
          throw new AppError(
            'scraper.too_large',
            `${where} returned more than ${options.maxBytes} bytes`,
          );
        }
        chunks.push(chunk);
      }
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw toAppError(cause, where, input.signal);
    }
    const encoding = response.headers['content-encoding'];
    // HEAD, 204, 304 and most redirects carry the header with no body: nothing to decode.
    if (encoding === undefined || size === 0) {
      return {
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks),
        url,
      };
    }
    const body = await decodeBody(Buffer.concat(chunks), encoding, options.maxBytes, where);
    // The body is returned decoded: its encoding and length no longer describe it.
    const decodedHeaders = { ...response.headers };
    delete decodedHeaders['content-encoding'];
    delete decodedHeaders['content-length'];
    return { status: response.statusCode, headers: decodedHeaders, body, url };
  }

  async function send(input: HttpRequest): Promise<HttpResponse> {
    let url = input.url;
    let current = input;
    for (let hop = 0; ; hop += 1) {
      const host = new URL(url).host;
      const response = await serialize(host, () => once(current, url));
      const location = response.headers.location;
      const isRedirect = response.status >= 300 && response.status < 400 && location !== undefined;
      if (!isRedirect || hop >= (input.maxRedirects ?? 0)) return response;
      const target = URL.parse(Array.isArray(location) ? (location[0] ?? '') : location, url);
      if (target === null) {
        throw new AppError(
          'scraper.http_status',
          `${describeUrl(url)} answered ${response.status} with an invalid Location`,
        );
      }
      if (!isSameSite(new URL(input.url), target)) {
        throw new AppError(
          'scraper.redirect_elsewhere',
          `${describeUrl(url)} redirects outside its origin, to ${target.host}, not followed; ` +
            'if the calendar moved, update its URL in SECTIONS',
        );
      }
      url = target.toString();
      // 301/302/303 turn into a GET, as browsers do.
      current =
        response.status === 307 || response.status === 308
          ? current
          : { ...current, method: 'GET', body: undefined };
    }
  }

  return {
    request: send,
    async getBytes(url, extra = {}) {
      const response = await send({ ...extra, url, method: 'GET' });
      if (response.status < 200 || response.status > 299) {
        throw new AppError(
          'scraper.http_status',
          `GET ${describeUrl(url)} answered ${response.status}`,
        );
      }
      return response;
    },
    async close() {
      await ownAgent?.close();
    },
  };
}

/**
 * A redirect is followed only to the origin the operator configured, or its https upgrade: a
 * hostile or compromised site cannot send the scraper to an internal address.
 */
export function isSameSite(configured: URL, target: URL): boolean {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (target.hostname !== configured.hostname) return false;
  if (target.protocol === configured.protocol) return target.port === configured.port;
  // http → https of the same host, on the default port or the same explicit one.
  return (
    configured.protocol === 'http:' &&
    target.protocol === 'https:' &&
    (target.port === '' || target.port === configured.port)
  );
}

type Decoder = (buffer: Buffer, options: ZlibOptions) => Promise<Buffer>;
const gunzipAsync: Decoder = promisify(gunzip);
const inflateAsync: Decoder = promisify(inflate);
const inflateRawAsync: Decoder = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

/**
 * Undoes a Content-Encoding (a list is undone last first). zlib stops at `maxBytes` of output, so
 * the cap holds for the decoded bytes without ever holding more than that in memory.
 */
async function decodeBody(
  body: Buffer,
  header: string | string[],
  maxBytes: number,
  where: string,
): Promise<Buffer> {
  const codings = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  let decoded = body;
  for (const coding of codings) {
    const options = { maxOutputLength: maxBytes };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') decoded = await gunzipAsync(decoded, options);
      // HTTP "deflate" should be zlib-wrapped, yet some servers send raw deflate.
      else if (coding === 'deflate')
        decoded = await (hasZlibHeader(decoded) ? inflateAsync : inflateRawAsync)(decoded, options);
      else if (coding === 'br') decoded = await brotliAsync(decoded, options);
      else {
        throw new AppError(
          'scraper.bad_encoding',
          `${where} answered with an unsupported Content-Encoding (${coding.slice(0, 40)})`,
        );
      }
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      if (cause instanceof RangeError) {
        throw new AppError(
          'scraper.too_large',
          `${where} returned more than ${maxBytes} bytes once decoded (${coding})`,
          { cause },
        );
      }
      throw new AppError(
        'scraper.bad_encoding',
        `${where} sent a body that does not decode as its Content-Encoding (${coding}) says`,
        { cause },
      );
    }
  }
  return decoded;
}

/** RFC 1950: method 8 in the low nibble, and the first two bytes a multiple of 31. */
function hasZlibHeader(body: Buffer): boolean {
  const [first = 0, second = 0] = body;
  return first % 16 === 8 && (first * 256 + second) % 31 === 0;
}

function toAppError(
  cause: unknown,
  where: string,
  callerSignal: AbortSignal | undefined,
): AppError {
  if (callerSignal?.aborted === true) {
    return new AppError('scraper.aborted', `${where} was cancelled`, { cause });
  }
  const timeout =
    cause instanceof errors.HeadersTimeoutError ||
    cause instanceof errors.BodyTimeoutError ||
    cause instanceof errors.ConnectTimeoutError ||
    (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError'));
  if (timeout) return new AppError('scraper.timeout', `${where} timed out`, { cause });
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string'
      ? ` (${cause.code})`
      : '';
  return new AppError('scraper.network', `${where} failed${code}`, { cause });
}
