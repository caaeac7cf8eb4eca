import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

/** Where scripts/openapi-subset.mjs writes the subset of GitHub's REST description. */
export const GITHUB_SUBSET_PATH = new URL('../../openapi/github-subset.json', import.meta.url);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

/** One operation of the description, with its parameters resolved. */
export interface DescribedOperation {
  operationId: string;
  method: string;
  path: string;
  parameters: Parameter[];
  hasRequestBody: boolean;
  requestBodyRequired: boolean;
  /** Status codes (as strings, plus `default` when present) the description documents. */
  statuses: string[];
}

/** What a request validation found: empty when the request is allowed. */
export interface RequestProblems {
  path: string[];
  query: string[];
  body: string[];
}

const SCHEMA_ID = 'github-subset.json';
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

/**
 * Translates OpenAPI 3.0 schema dialect to the JSON Schema Ajv speaks: `nullable: true` becomes a
 * type union (or an `anyOf` with `null` when the schema has no `type`), `oneOf` becomes `anyOf`,
 * and local `$ref`s point into the registered document.
 */
function toJsonSchema(value: Json, inPropertyMap = false): Json {
  if (Array.isArray(value)) return value.map((item) => toJsonSchema(item));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (!inPropertyMap && key === '$ref' && typeof item === 'string' && item.startsWith('#/')) {
      out[key] = `${SCHEMA_ID}${item}`;
    } else if (!inPropertyMap && key === 'nullable') {
      continue;
    } else if (!inPropertyMap && key === 'oneOf') {
      // GitHub's description writes oneOf for alternatives that overlap (its 409 answers are
      // "basic-error or rule-violation-error", and any error body fits both), so exclusive
      // matching would reject GitHub's own answers; what it means is anyOf.
      out.anyOf = toJsonSchema(item);
    } else {
      out[key] = toJsonSchema(item, !inPropertyMap && (key === 'properties' || key === 'patternProperties'));
    }
  }
  if (inPropertyMap || value.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    // OpenAPI 3.0 lets `nullable` widen an enum; JSON Schema needs the null listed.
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    allowUnionTypes: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: false,
  });
  addFormats(ajv, ['date-time', 'uri', 'email']);
  const uri = ajv.formats.uri;
  const uriCheck = typeof uri === 'function' ? uri : undefined;
  // GitHub answers "" for URLs that were never set (target_url of a deployment status, …) even
  // where the description says `format: uri`; accept that and keep checking real values.
  ajv.addFormat('uri', (text: string) => text === '' || (uriCheck ? uriCheck(text) : true));
  ajv.addFormat('int64', true);
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  return ajv;
}

/** Reads a value at a JSON pointer (`/a/0/b`), for error messages. */
function valueAt(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  let current: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Turns Ajv errors into short sentences that name the offending location and value. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, data: unknown, root: string): string[] {
  if (!errors || errors.length === 0) return [];
  // Branch errors of oneOf/anyOf repeat what the leaf errors say; keep leaves when there are any.
  const leaves = errors.filter((error) => !['oneOf', 'anyOf', 'if'].includes(error.keyword));
  const chosen = leaves.length > 0 ? leaves : errors;
  const sentences = new Set<string>();
  for (const error of chosen) {
    const where = `${root}${error.instancePath}`;
    let detail = error.message ?? error.keyword;
    if (error.keyword === 'additionalProperties') {
      detail = `must not have property ${preview((error.params as { additionalProperty: string }).additionalProperty)}`;
    } else if (error.keyword === 'enum') {
      detail = `must be one of ${preview((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    }
    const got =
      error.keyword === 'required' || error.keyword === 'additionalProperties'
        ? ''
        : ` (got ${preview(valueAt(data, error.instancePath))})`;
    sentences.add(`${where} ${detail}${got}`);
    if (sentences.size >= 6) break;
  }
  return [...sentences];
}

/** GitHub's REST description (the checked-in subset), compiled lazily for validation. */
export class ApiDescription {
  readonly document: JsonObject;
  private readonly operations = new Map<string, DescribedOperation>();
  private readonly raw = new Map<string, JsonObject>();
  private readonly strict: Ajv;
  private readonly coercing: Ajv;
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(document: JsonObject) {
    this.document = document;
    const converted = toJsonSchema({ components: document.components ?? {} }) as JsonObject;
    this.strict = createAjv(false);
    this.coercing = createAjv(true);
    this.strict.addSchema({ $id: SCHEMA_ID, ...converted });
    this.coercing.addSchema({ $id: SCHEMA_ID, ...converted });
    const paths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const operationId = operation.operationId as string;
        const parameters = ((operation.parameters ?? []) as JsonObject[]).map(
          (p) => this.resolve(p) as unknown as Parameter,
        );
        const body = operation.requestBody ? this.resolve(operation.requestBody as JsonObject) : undefined;
        this.operations.set(operationId, {
          operationId,
          method: method.toUpperCase(),
          path,
          parameters,
          hasRequestBody: body !== undefined,
          requestBodyRequired: body?.required === true,
          statuses: Object.keys((operation.responses ?? {}) as JsonObject),
        });
        this.raw.set(operationId, operation);
      }
    }
  }

  /** Every operationId of the description. */
  operationIds(): string[] {
    return [...this.operations.keys()].sort();
  }

  /** The operation with this id, or undefined. */
  operation(operationId: string): DescribedOperation | undefined {
    return this.operations.get(operationId);
  }

  private resolve(value: JsonObject): JsonObject {
    let current = value;
    for (let depth = 0; typeof current.$ref === 'string' && depth < 10; depth += 1) {
      const parts = current.$ref.replace(/^#\//, '').split('/');
      let target: Json = this.document;
      for (const part of parts) target = (target as JsonObject)[part] ?? null;
      current = target as JsonObject;
    }
    return current;
  }

  private compiled(key: string, build: () => { ajv: Ajv; schema: Json } | undefined): ValidateFunction | null {
    if (!this.cache.has(key)) {
      const spec = build();
      this.cache.set(key, spec ? spec.ajv.compile(toJsonSchema(spec.schema) as JsonObject) : null);
    }
    return this.cache.get(key) ?? null;
  }

  private parameterValidator(operationId: string, location: 'path' | 'query'): ValidateFunction | null {
    return this.compiled(`${operationId} ${location}`, () => {
      const operation = this.operations.get(operationId);
      if (!operation) return undefined;
      const properties: JsonObject = {};
      const required: string[] = [];
      for (const parameter of operation.parameters) {
        if (parameter.in !== location) continue;
        properties[parameter.name] = (parameter.schema ?? {}) as JsonObject;
        if (parameter.required) required.push(parameter.name);
      }
      return {
        ajv: this.coercing,
        // Query strings only carry what the description names: an unknown parameter is a typo
        // that GitHub would silently ignore, which is exactly the bug a test should catch.
        schema: { type: 'object', properties, required, additionalProperties: false },
      };
    });
  }

  private bodyValidator(operationId: string, strictProperties: boolean): ValidateFunction | null {
    return this.compiled(`${operationId} body ${strictProperties}`, () => {
      const operation = this.raw.get(operationId);
      if (!operation?.requestBody) return undefined;
      const body = this.resolve(operation.requestBody as JsonObject);
      const media = ((body.content ?? {}) as JsonObject)['application/json'] as JsonObject | undefined;
      let schema = (media?.schema ?? {}) as JsonObject;
      if (strictProperties && schema.properties && schema.additionalProperties === undefined) {
        // GitHub drops body fields it does not know; a misspelt field would pass unnoticed there.
        schema = { ...schema, additionalProperties: false };
      }
      return { ajv: this.strict, schema };
    });
  }

  private responseValidator(operationId: string, status: string): ValidateFunction | null {
    return this.compiled(`${operationId} response ${status}`, () => {
      const operation = this.raw.get(operationId);
      const responses = (operation?.responses ?? {}) as JsonObject;
      const entry = responses[status] ?? responses.default;
      if (!entry) return undefined;
      const response = this.resolve(entry as JsonObject);
      const content = (response.content ?? {}) as JsonObject;
      const media = (content['application/json'] ?? Object.values(content)[0]) as JsonObject | undefined;
      if (!media?.schema) return undefined;
      return { ajv: this.strict, schema: media.schema };
    });
  }

  /**
   * Validates a request's path parameters, query and JSON body. Query and path values are strings
   * on the wire and are coerced to the documented types in place.
   */
  validateRequest(
    operationId: string,
    request: {
      pathParams: Record<string, unknown>;
      query: Record<string, unknown>;
      body: unknown;
      hasBody: boolean;
      strictBodies: boolean;
    },
  ): RequestProblems {
    const problems: RequestProblems = { path: [], query: [], body: [] };
    const operation = this.operations.get(operationId);
    if (!operation) {
      problems.path.push(`operation ${operationId} is not in the description`);
      return problems;
    }
    const pathCheck = this.parameterValidator(operationId, 'path');
    if (pathCheck && !pathCheck(request.pathParams)) {
      problems.path.push(...describeSchemaErrors(pathCheck.errors, request.pathParams, 'path'));
    }
    const queryCheck = this.parameterValidator(operationId, 'query');
    if (queryCheck && !queryCheck(request.query)) {
      problems.query.push(...describeSchemaErrors(queryCheck.errors, request.query, 'query'));
    }
    if (!operation.hasRequestBody) {
      if (request.hasBody) problems.body.push('body must be empty: the operation takes no request body');
      return problems;
    }
    if (!request.hasBody) {
      if (operation.requestBodyRequired) problems.body.push('body is required');
      return problems;
    }
    const bodyCheck = this.bodyValidator(operationId, request.strictBodies);
    if (bodyCheck && !bodyCheck(request.body)) {
      problems.body.push(...describeSchemaErrors(bodyCheck.errors, request.body, 'body'));
    }
    return problems;
  }

  /**
   * Validates a response the stand-in is about to send. `undocumented` is true when the status
   * is not in the description at all.
   */
  validateResponse(operationId: string, status: number, body: unknown): { undocumented: boolean; errors: string[] } {
    const operation = this.operations.get(operationId);
    if (!operation) return { undocumented: true, errors: [] };
    const key = String(status);
    if (!operation.statuses.includes(key) && !operation.statuses.includes('default')) {
      return { undocumented: true, errors: [] };
    }
    const check = this.responseValidator(operationId, key);
    if (!check || body === undefined) return { undocumented: false, errors: [] };
    return { undocumented: false, errors: check(body) ? [] : describeSchemaErrors(check.errors, body, 'response') };
  }
}

let shared: ApiDescription | undefined;

/** The checked-in subset of GitHub's REST description, loaded and compiled once per process. */
export function githubApiDescription(): ApiDescription {
  shared ??= new ApiDescription(JSON.parse(readFileSync(GITHUB_SUBSET_PATH, 'utf8')) as JsonObject);
  return shared;
}
