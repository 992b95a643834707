// A Server-Sent Events response taken over from Fastify (the kiosk's pushes, staff notifications):
// the headers every stream needs, and a write that is a no-op once the connection is gone.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

export interface EventStream {
  response: ServerResponse;
  /** Writes raw SSE text; nothing once the connection has ended. */
  write(text: string): void;
}

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const response: ServerResponse = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
    // A stream's end is its connection's end: nothing lingers to hold a closing server.
    connection: 'close',
  });
  return {
    response,
    write(text) {
      if (!response.writableEnded && !response.destroyed) response.write(text);
    },
  };
}
