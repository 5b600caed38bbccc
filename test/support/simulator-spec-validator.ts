// Validates simulator responses against the response schemas of the vendored official spec
// (test/fixtures/contacts-api/apps/contacts.json, apps/locations.json for `/locations/…` paths and
// apps/calendars.json for `/calendars/…` paths), resolving `#/components/...` and
// `../common/common-schemas.json#/...` refs. `strict: false` because the OpenAPI documents carry
// non-JSON-Schema keywords (`example`, `openapi`, `paths`…) that Ajv must ignore.
//
// Spec quirks worked around (documented here, nothing is patched in the spec itself):
// - Several 200/201 schemas describe only some of the fields HighLevel really returns (e.g.
//   `GET /contacts/` points at ContactsSearchSuccessfulResponseDto, which has `count` but no
//   `meta`); no schema sets `additionalProperties: false`, so extra fields validate and the test
//   asserts the wrapper keys itself.
// - UpdateTagsResponseDTO (`POST /contacts/bulk/tags/update/{type}`) types `responses` as an
//   array of strings while its example shows `{contactId, message, type, …}` objects; the
//   simulator answers the example's shape and the test asserts it directly.
// - No schema is given for 403 and 429: those bodies are checked against UnauthorizedDTO's shape
//   (statusCode/message/error) by the test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const SPEC_DIR = join(import.meta.dirname, "..", "fixtures", "contacts-api");
const BASE = "https://spec.local/";

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
}

export interface SpecValidator {
  /** Validate `body` as the response of `method path` (`/contacts/{contactId}` form) with `status`. */
  validate(method: string, specPath: string, status: number, body: unknown): { ok: boolean; errors: string };
  /** Whether the spec declares a schema for that response. */
  has(method: string, specPath: string, status: number): boolean;
}

export function createSpecValidator(): SpecValidator {
  const contacts = JSON.parse(readFileSync(join(SPEC_DIR, "apps", "contacts.json"), "utf8")) as OpenApiDoc & Record<string, unknown>;
  const locations = JSON.parse(readFileSync(join(SPEC_DIR, "apps", "locations.json"), "utf8")) as OpenApiDoc & Record<string, unknown>;
  const calendars = JSON.parse(readFileSync(join(SPEC_DIR, "apps", "calendars.json"), "utf8")) as OpenApiDoc & Record<string, unknown>;
  const common = JSON.parse(readFileSync(join(SPEC_DIR, "common", "common-schemas.json"), "utf8")) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ ...common, $id: `${BASE}common/common-schemas.json` });
  ajv.addSchema({ ...contacts, $id: `${BASE}apps/contacts.json` });
  // The location routes (custom-field definitions, tags, the bulk task read) live in locations.json.
  ajv.addSchema({ ...locations, $id: `${BASE}apps/locations.json` });
  // The calendars and their events (many contacts' appointments at once) live in calendars.json.
  ajv.addSchema({ ...calendars, $id: `${BASE}apps/calendars.json` });
  const cache = new Map<string, ValidateFunction>();

  const refFor = (method: string, specPath: string, status: number): string | undefined => {
    const [doc, file] = specPath.startsWith("/locations/")
      ? [locations, "locations.json"]
      : specPath.startsWith("/calendars/")
        ? [calendars, "calendars.json"]
        : [contacts, "contacts.json"];
    const op = doc.paths[specPath]?.[method.toLowerCase()];
    const ref = op?.responses?.[String(status)]?.content?.["application/json"]?.schema?.$ref;
    if (!ref) return undefined;
    return new URL(ref, `${BASE}apps/${file}`).toString();
  };

  return {
    has: (method, specPath, status) => refFor(method, specPath, status) !== undefined,
    validate(method, specPath, status, body) {
      const ref = refFor(method, specPath, status);
      if (!ref) throw new Error(`spec: expected a response schema for ${method} ${specPath} ${status}, found none`);
      let validate = cache.get(ref);
      if (!validate) {
        validate = ajv.getSchema(ref);
        if (!validate) throw new Error(`spec: could not resolve ${ref}`);
        cache.set(ref, validate);
      }
      const ok = validate(body) as boolean;
      return { ok, errors: ok ? "" : ajv.errorsText(validate.errors) };
    },
  };
}
