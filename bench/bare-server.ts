// Baseline server of the intake benchmark: a bare Fastify 5 route with the same body schema
// (NativeEvaluation) and the same strict Ajv settings as the real app, that stores nothing.
// No authentication, no database: what HTTP + JSON + validation alone cost on this machine.
// Started by bench/intake.ts; prints `listening <port>` on stdout, stops on SIGTERM (and, given
// --exit-with-stdin, when its stdin closes). Usage: tsx bench/bare-server.ts [port] [--exit-with-stdin]
import { Ajv, type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import { NativeEvaluation } from '../src/evaluations/draft.ts';

const app = Fastify({
  logger: false,
  schemaController: {
    compilersFactory: {
      buildValidator(externalSchemas: Record<string, AnySchema | AnySchema[]>) {
        // As src/http/app.ts does for bodies: unknown fields refused, no coercion.
        const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
        addFormats.default(ajv);
        for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema);
        return ({ schema }: { schema: AnySchema }) => ajv.compile(schema);
      },
    },
  },
});

app.addSchema(NativeEvaluation);
app.post('/api/v1/evaluations', { schema: { body: { $ref: 'NativeEvaluation' } } }, async (_request, reply) => reply.status(201).send({ status: 'stored' }));

const port = Number(process.argv[2] ?? 0);
await app.listen({ host: '127.0.0.1', port });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
// Nothing to flush or keep: leave at once (a graceful close could wait on keep-alive sockets).
process.on('SIGTERM', () => process.exit(0));
// Started by the benchmark with a pipe on stdin: never outlive it.
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}
