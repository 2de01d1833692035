/** Public API of manifests: load and validate MANIFESTS_DIR, report errors, find runbooks, JSON Schema. */
export { loadManifests } from './load.ts';
export { loadManifestTexts } from './load-texts.ts';
export type { ManifestFile } from './load-texts.ts';
export { formatManifestError, formatPath } from './manifest-error.ts';
export type { ManifestError } from './manifest-error.ts';
export { findRunbook } from './find.ts';
export type { FindResult } from './find.ts';
export { manifestJsonSchema, jsonSchemaText, writeJsonSchema } from './json-schema.ts';
export { BUILTIN_ROLES, RESERVED_RUNBOOK_WORDS, ANY_INCIDENT_TYPE } from './crosscheck.ts';
