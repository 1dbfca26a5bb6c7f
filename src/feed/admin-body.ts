import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/index.ts';

/** The 400 message for a body that is not JSON: says what to send, never echoes the body. */
export const SEND_JSON_MESSAGE =
  'the body must be JSON, such as {"name": "jean.dupont"} (curl: -H "Content-Type: application/json" -d \'{"name": "jean.dupont"}\')';

/**
 * The admin routes read a JSON body whatever the Content-Type says, as IPP's Flask code did
 * (`get_json(force=True)`): IPP's documented `curl ... -d '{"name":"jean.dupont"}'` sends
 * `application/x-www-form-urlencoded`. An empty body is no body; anything else that is not JSON
 * gets a 400 saying to send JSON. Scoped to the plugin instance it is called in.
 */
export function readJsonWhateverContentType(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(
        new AppError('token.invalid_input', 'admin request body is not JSON', {
          publicMessage: SEND_JSON_MESSAGE,
        }),
        undefined,
      );
    }
  });
}
