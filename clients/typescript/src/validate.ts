// Checks every response against what the OpenAPI document promises for its operation: the status
// must be documented, the media type must be the documented one, and a JSON body must validate
// against the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses it). Used as an
// openapi-fetch middleware, so no request of the scenario escapes it.
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction, type ErrorObject } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Middleware } from "openapi-fetch";

// ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface MediaType {
  schema?: Json;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation | Json>>;
  components?: { schemas?: Record<string, Json> };
}

const DEFS_ID = "urn:shegong:openapi-components";

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rewrites `#/components/schemas/X` into a reference to the shared definitions document. */
function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) {
    return value.map(rewriteRefs);
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") {
        if (!inner.startsWith("#/components/schemas/")) {
          throw new Error(`unsupported $ref ${inner} in the OpenAPI document`);
        }
        out[key] = `${DEFS_ID}#/$defs/${inner.slice("#/components/schemas/".length)}`;
      } else {
        out[key] = rewriteRefs(inner);
      }
    }
    return out;
  }
  return value;
}

export class ContractViolation extends Error {
  override name = "ContractViolation";
}

export class SpecValidator {
  readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Responses checked, per "METHOD /path status". */
  readonly checked = new Map<string, number>();

  constructor(readonly specPath: string) {
    this.doc = JSON.parse(readFileSync(specPath, "utf8")) as OpenApiDocument;
    this.ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateFormats: true });
    addFormats(this.ajv);
    // OpenAPI's own annotations, and its number formats (checked for range, as the server means them).
    this.ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs"]);
    this.ajv.addFormat("int32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
    });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat("float", { type: "number", validate: () => true });
    this.ajv.addFormat("double", { type: "number", validate: () => true });
    this.ajv.addFormat("binary", { type: "string", validate: () => true });
    const schemas = this.doc.components?.schemas ?? {};
    const defs: JsonObject = {};
    for (const [name, schema] of Object.entries(schemas)) {
      defs[name] = rewriteRefs(schema);
    }
    this.ajv.addSchema({ $id: DEFS_ID, $defs: defs });
  }

  hasPath(path: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.doc.paths, path);
  }

  private operation(schemaPath: string, method: string): Operation {
    const item = this.doc.paths[schemaPath];
    const op = item?.[method.toLowerCase()];
    if (!isObject(op)) {
      throw new ContractViolation(`${method} ${schemaPath} is not an operation of ${this.specPath}`);
    }
    return op as Operation;
  }

  /**
   * Checks one response. `body` is the parsed JSON (undefined when the response has no body).
   * Throws a ContractViolation naming the operation, the status and every schema error.
   */
  check(method: string, schemaPath: string, status: number, contentType: string | null, body: unknown): void {
    const op = this.operation(schemaPath, method);
    const label = `${method.toUpperCase()} ${schemaPath} → ${status}`;
    const responses = op.responses ?? {};
    const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses["default"];
    if (!documented) {
      throw new ContractViolation(
        `${label}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`,
      );
    }
    const content = documented.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (body !== undefined) {
        throw new ContractViolation(`${label}: the spec documents no body, the server sent one`);
      }
      this.count(label);
      return;
    }
    const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    const media = content[mediaType];
    if (!media) {
      throw new ContractViolation(
        `${label}: content type ${JSON.stringify(contentType)} is not documented (documented: ${mediaTypes.join(", ")})`,
      );
    }
    if (!mediaType.endsWith("json") || media.schema === undefined) {
      this.count(label);
      return;
    }
    const key = `${method.toLowerCase()} ${schemaPath} ${status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(media.schema) as object);
      this.compiled.set(key, validate);
    }
    if (!validate(body)) {
      throw new ContractViolation(`${label}: the body does not match the spec:\n${formatErrors(validate.errors)}`);
    }
    this.count(label);
  }

  private count(label: string): void {
    this.checked.set(label, (this.checked.get(label) ?? 0) + 1);
  }

  /** An openapi-fetch middleware that checks every response before the caller sees it. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response, schemaPath }) => {
        const text = await response.clone().text();
        let body: unknown;
        if (text.length > 0) {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            const ct = response.headers.get("content-type") ?? "";
            if (ct.includes("json")) {
              throw new ContractViolation(`${request.method} ${schemaPath} → ${response.status}: the body is not JSON`);
            }
            body = text;
          }
        }
        this.check(request.method, schemaPath, response.status, response.headers.get("content-type"), body);
        return undefined;
      },
    };
  }
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 20)
    .map((e) => {
      const extra = e.keyword === "enum" ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : "";
      return `  at ${e.instancePath || "(root)"}: ${e.message ?? e.keyword}${extra} [schema ${e.schemaPath}]`;
    })
    .join("\n");
}
