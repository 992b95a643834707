// `npm run openapi`: writes the OpenAPI document of the current code to docs/openapi.json.
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/config.ts';
import { startSystem } from '../system.ts';
import { errorCatalogue } from '../errors.ts';
import { ERRORS_FILE, errorsMarkdown, OPENAPI_FILE, openApiText } from './openapi.ts';

const system = await startSystem(loadConfig({ PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent' }));
writeFileSync(OPENAPI_FILE, openApiText(system.app));
writeFileSync(ERRORS_FILE, errorsMarkdown(errorCatalogue));
await system.close();
process.stdout.write(`wrote ${OPENAPI_FILE} and ${ERRORS_FILE}\n`);
