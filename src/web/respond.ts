import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FeedContext } from '../feed/context.ts';
import { pickLocale, webMessages, type WebMessages } from './messages.ts';
import type { Renderer } from './render.ts';

export function messagesFor(request: FastifyRequest): WebMessages {
  return webMessages[pickLocale(request.headers['accept-language'])];
}

export function sendTooMany(
  context: FeedContext,
  renderer: Renderer,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const t = messagesFor(request);
  context.metrics.countRateLimited();
  reply.header('retry-after', '60');
  return renderer.send(
    reply,
    429,
    'message',
    { title: t.tooManyTitle, t, private: true },
    {
      text: t.tooManyText,
    },
  );
}
