/**
 * Compiles the JSON Schemas in schemas/ with Ajv (draft 2020-12, formats on) for the provider tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
type AddFormats = (ajv: Ajv2020) => unknown;
const formatsExport = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
const addFormats: AddFormats = formatsExport.default ?? formatsExport;

const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

/** The four schema files, by short name. */
export const SCHEMA_FILES = {
  diditResponse: 'didit-response.schema.json',
  diditError: 'didit-error.schema.json',
  attestrResponse: 'attestr-response.schema.json',
  attestrError: 'attestr-error.schema.json',
} as const;

/** Short name of a schema. */
export type SchemaName = keyof typeof SCHEMA_FILES;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);

const validators = new Map<SchemaName, ValidateFunction>();

/** The compiled validator of one schema. */
export function validator(name: SchemaName): ValidateFunction {
  let v = validators.get(name);
  if (v === undefined) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, SCHEMA_FILES[name]), 'utf8')) as object;
    v = ajv.compile(schema);
    validators.set(name, v);
  }
  return v;
}

/** Validation errors as readable text, or '' when `value` is valid. */
export function schemaErrors(name: SchemaName, value: unknown): string {
  const v = validator(name);
  return v(value) ? '' : ajv.errorsText(v.errors, { separator: '\n' });
}
