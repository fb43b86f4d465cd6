// A field worker's offline day, played against a real shegong server this script starts itself
// (fresh database, demo data), through the client generated from openapi/openapi.json. Every
// response is checked against the spec at run time; any failed assertion exits non-zero.
//
//   1. start the server on a database of its own        6. push the batch: applied / merged / conflict
//   2. sign in: the worker and a colleague               7. resolve the conflict (keep "mine") → applied
//   3. first download: pull until has_more is false     8. second pull from the saved cursor
//   4. offline edits, queued as mutations                9. checksums per unit equal the device's copy
//   5. the colleague edits the same field online
//
// `npm run offline-day -- --rest-only` plays what today's API can without the sync endpoints:
// steps 1, 2, the creations of step 4 through POST /clients and POST /sessions, step 5, and the
// REST form of the conflict (412 on a stale If-Match); it says which steps it left out.
//
// Settings (environment): SHEGONG_BIN (server binary, default <repo>/target/debug/shegong),
// TEST_DATABASE_URL (maintenance database, default postgres://postgres:postgres@127.0.0.1:5432/postgres),
// SHEGONG_SPEC (the OpenAPI document responses are checked against, default openapi/openapi.json),
// OFFLINE_DAY_LOG (the server's log, default <repo>/target/offline-day/server.log).
import createClient, { type Client } from "openapi-fetch";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { components, paths } from "./src/schema.d.ts";
import { ContractViolation, SpecValidator } from "./src/validate.ts";
import { ServerHarness, defaultAdminUrl, defaultBinary } from "./src/server.ts";
import { Device } from "./src/device.ts";
import { uuidv7 } from "./src/ids.ts";

type Schemas = components["schemas"];
type Api = Client<paths>;
type ClientOut = Schemas["ClientOut"];
type CreateClient = Schemas["CreateClient"];
type VisitIn = Extract<Schemas["CreateSession"], { method: "visit" }>;
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type ChangesPage = Json<paths["/api/v1/sync/changes"]["get"]["responses"][200]>;
type Change = ChangesPage["changes"][number];
type Batch = NonNullable<paths["/api/v1/sync/batch"]["post"]["requestBody"]>["content"]["application/json"];
type Mutation = Batch["mutations"][number];
type BatchOut = Json<paths["/api/v1/sync/batch"]["post"]["responses"][200]>;
type MutationResult = BatchOut["results"][number];

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../..");
const SPEC = resolve(process.env.SHEGONG_SPEC ?? resolve(REPO, "openapi/openapi.json"));
const REST_ONLY = process.argv.includes("--rest-only");

// README "Demo users": every demo user but admin has this password.
const DEMO_PASSWORD = "Shegong-Demo-2026";
const WORKER = "bhz_worker"; // 王芳, 滨河镇社会工作服务站
const COLLEAGUE = "bhz_worker2"; // 海小龙, the same station

class AssertionFailed extends Error {
  override name = "AssertionFailed";
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new AssertionFailed(message);
  }
}

/** JSON text with the keys of every object sorted, so that equality ignores the order of members. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : inner,
  );
}

function equal<T>(actual: T, expected: NoInfer<T>, what: string): void {
  assert(canonical(actual) === canonical(expected), `${what}: expected ${canonical(expected)}, got ${canonical(actual)}`);
}

function step(n: string, text: string): void {
  console.log(`\n── step ${n}: ${text}`);
}

function ok(text: string): void {
  console.log(`   ✓ ${text}`);
}

/** The body of a response with the expected status (and the response itself, for its headers). */
function expect<D>(
  result: { data?: D; error?: unknown; response: Response },
  status: number,
  what: string,
): { body: D; response: Response } {
  const got = result.response.status;
  assert(
    got === status,
    `${what}: expected HTTP ${status}, got ${got}${result.error === undefined ? "" : ` ${JSON.stringify(result.error)}`}`,
  );
  assert(result.data !== undefined, `${what}: HTTP ${status} without a body`);
  return { body: result.data, response: result.response };
}

/** The version an ETag names (`"3"` or `W/"3"`). */
function etagVersion(response: Response, what: string): number {
  const etag = response.headers.get("etag");
  const m = etag === null ? null : /^(?:W\/)?"([0-9]+)"$/.exec(etag);
  assert(m !== null && m[1] !== undefined, `${what}: no usable ETag (${String(etag)})`);
  return Number(m[1]);
}

function ifMatch(version: number): string {
  return `"${version}"`;
}

function api(base: string, validator: SpecValidator, token?: string): Api {
  const client = createClient<paths>({
    baseUrl: base,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  client.use(validator.middleware());
  return client;
}

interface Person {
  username: string;
  api: Api;
  userId: string;
  unitId: string;
}

async function signIn(base: string, validator: SpecValidator, username: string): Promise<Person> {
  const anonymous = api(base, validator);
  for (let attempt = 1; ; attempt++) {
    const r = await anonymous.POST("/api/v1/auth/login", { body: { username, password: DEMO_PASSWORD } });
    if (r.response.status === 429 && attempt < 5) {
      await sleep(Math.min(Number(r.response.headers.get("retry-after") ?? "5"), 30) * 1000);
      continue;
    }
    const { body: tokens } = expect(r, 200, `sign-in as ${username}`);
    equal(tokens.token_type, "Bearer", "token_type");
    const person = api(base, validator, tokens.access_token);
    const { body: me } = expect(await person.GET("/api/v1/me"), 200, `GET /me as ${username}`);
    equal(me.user.username, username, "GET /me: username");
    return { username, api: person, userId: me.user.id, unitId: me.unit.id };
  }
}

// The client fields a pulled record carries besides its PATCH fields (sync contract, "data").
const CLIENT_EXTRA_FIELDS = ["id", "org_unit_id", "household_id", "version", "id_number_masked", "updated_at"] as const;
// The PATCH DTO's fields; `id_number` is the one a pull shows masked instead.
const CLIENT_PATCH_FIELDS: readonly Exclude<keyof Schemas["UpdateClient"], "id_number">[] = [
  "name", "gender", "birth_date", "id_type", "phone", "address", "categories", "living_arrangement",
  "self_care", "disability", "guardian", "emergency_contact", "risk_level", "consent", "notes",
  "hukou_division_code",
];

function field(data: object, name: string): unknown {
  return name in data ? (data as { [key: string]: unknown })[name] : undefined;
}

function textField(data: object, name: string, what: string): string | null {
  const value = field(data, name);
  assert(value === null || typeof value === "string", `${what}: ${name} is ${JSON.stringify(value)}, not a string or null`);
  return value;
}

/** Step 3 and 8: pulls until has_more is false, applying every change to the device. */
async function pull(worker: Person, device: Device, what: string): Promise<Change[]> {
  const seen: Change[] = [];
  let pages = 0;
  for (;;) {
    const query = device.cursor === undefined ? { limit: 200 } : { since: device.cursor, limit: 200 };
    const { body: page } = expect(await worker.api.GET("/api/v1/sync/changes", { params: { query } }), 200, `${what}: GET /sync/changes`);
    pages += 1;
    assert(pages <= 1000, `${what}: more than 1000 pages; has_more never became false`);
    for (const change of page.changes) {
      seen.push(change);
      if (change.op === "upsert") {
        const { version, org_unit_id: unit, data } = change;
        assert(typeof version === "number", `${what}: upsert of ${change.entity} ${change.id} without a version`);
        assert(typeof unit === "string", `${what}: upsert of ${change.entity} ${change.id} without org_unit_id`);
        assert(typeof data === "object" && data !== null, `${what}: upsert of ${change.entity} ${change.id} without data`);
        equal(field(data, "id"), change.id, `${what}: ${change.entity} ${change.id} data.id`);
        equal(field(data, "version"), version, `${what}: ${change.entity} ${change.id} data.version (= its ETag version)`);
        if (change.entity === "client") {
          for (const name of [...CLIENT_PATCH_FIELDS, ...CLIENT_EXTRA_FIELDS]) {
            assert(name in data, `${what}: client ${change.id} data has no "${name}" (sync contract: the PATCH DTO's fields)`);
          }
          equal(field(data, "org_unit_id"), unit, `${what}: client ${change.id} data.org_unit_id`);
        }
        device.upsert({ entity: change.entity, id: change.id, version, org_unit_id: unit, data });
      } else {
        device.remove(change.entity, change.id);
      }
    }
    device.cursor = page.next_cursor;
    assert(typeof device.cursor === "string" && device.cursor.length > 0, `${what}: no next_cursor`);
    if (!page.has_more) {
      break;
    }
  }
  ok(`${what}: ${seen.length} changes in ${pages} page(s); the device holds ${device.size} records`);
  return seen;
}

/** Two clients of the worker's station or its village rooms whose phone the worker sees whole. */
function pickClients(device: Device, units: ReadonlySet<string>): [A: { id: string; version: number; phone: string; notes: string | null; address: string | null }, B: { id: string; version: number; phone: string; notes: string | null; address: string | null }] {
  const picked = device
    .all("client")
    .filter((r) => units.has(r.org_unit_id))
    .map((r) => ({
      id: r.id,
      version: r.version,
      phone: textField(r.data, "phone", `client ${r.id}`),
      notes: textField(r.data, "notes", `client ${r.id}`),
      address: textField(r.data, "address", `client ${r.id}`),
    }))
    .filter((c): c is typeof c & { phone: string } => c.phone !== null && /^1[3-9][0-9]{9}$/.test(c.phone))
    .sort((x, y) => x.id.localeCompare(y.id));
  const [a, b] = picked;
  assert(a !== undefined && b !== undefined, `the device holds fewer than two clients of the station's units with a whole mobile number`);
  return [a, b];
}

function newClientBody(unitId: string): CreateClient {
  return {
    org_unit_id: unitId,
    name: "马桂兰",
    gender: "female",
    birth_date: "1948-05-12",
    id_type: "none",
    phone: "13995112233",
    address: "滨河镇黄河村三组 12 号",
    categories: ["living_alone_elder"],
    living_arrangement: "alone",
    notes: "走访时新发现的独居老人",
  };
}

function visitBody(clientId: string, visitId: string): VisitIn {
  return {
    method: "visit",
    id: visitId,
    occurred_at: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
    duration_minutes: 40,
    location: "黄河村三组",
    client_ids: [clientId],
    mode: "home_visit",
    findings: "独居，行动尚可，屋内取暖需要检查。",
    needs_found: ["visit_care", "housing"],
    action: "none",
  };
}

/**
 * The result of the mutation at `index`, in the order of the mutations, with the expected status
 * and a version (every status but `rejected` carries one). Works whether the spec types a result
 * as one object with optional members or as a union by status.
 */
function outcome(
  results: MutationResult[],
  mutation: Mutation,
  index: number,
  status: "applied" | "merged" | "conflict" | "duplicate",
  what: string,
): { version: number; conflicts: unknown } {
  const r = results[index];
  assert(r !== undefined, `${what}: no result for mutation ${index}`);
  equal(r.mutation_id, mutation.mutation_id, `${what}: mutation_id (results in the order of the mutations)`);
  equal(r.id, mutation.id, `${what}: id`);
  assert(r.status === status, `${what}: expected ${status}, got ${canonical(r)}`);
  const version = "version" in r ? r.version : undefined;
  assert(typeof version === "number", `${what}: ${status} without a version`);
  return { version, conflicts: "conflicts" in r ? r.conflicts : undefined };
}

async function offlineDay(server: ServerHarness, validator: SpecValidator): Promise<void> {
  step("2", `sign in as ${WORKER} and the colleague ${COLLEAGUE}`);
  const worker = await signIn(server.base, validator, WORKER);
  const colleague = await signIn(server.base, validator, COLLEAGUE);
  equal(colleague.unitId, worker.unitId, "the colleague's unit");
  const { body: unit } = expect(
    await worker.api.GET("/api/v1/org-units/{id}", { params: { path: { id: worker.unitId } } }),
    200,
    "GET /org-units/{id} (the station)",
  );
  equal(unit.tier, "township", "the worker's unit tier");
  const { body: rooms } = expect(
    await worker.api.GET("/api/v1/org-units/{id}/children", { params: { path: { id: worker.unitId } } }),
    200,
    "GET /org-units/{id}/children (the village rooms)",
  );
  assert(rooms.items.every((room) => room.tier === "village"), "a unit below the station is not a village room");
  ok(`${WORKER} and ${COLLEAGUE} work at ${unit.name}, with ${rooms.items.length} village rooms below`);
  const units = new Set([worker.unitId, ...rooms.items.map((room) => room.id)]);

  if (REST_ONLY) {
    await restOnlyDay(worker, colleague, units);
    return;
  }
  if (!validator.hasPath("/api/v1/sync/changes") || !validator.hasPath("/api/v1/sync/batch") || !validator.hasPath("/api/v1/sync/checksums")) {
    throw new AssertionFailed(
      `${validator.specPath} has no /api/v1/sync/changes, /api/v1/sync/batch or /api/v1/sync/checksums: ` +
        "the sync endpoints have not landed, so steps 3 and 6–9 cannot run " +
        "(`npm run offline-day -- --rest-only` plays the steps today's API has)",
    );
  }

  const device = new Device();
  step("3", "first download: pull until has_more is false");
  await pull(worker, device, "first download");
  const [a, b] = pickClients(device, units);
  ok(`client A ${a.id} (v${a.version}, phone ${a.phone}), client B ${b.id} (v${b.version})`);

  step("4", "offline: change A's phone, a note on B, register a new client and record a home visit to them");
  const minePhone = a.phone === "13812345678" ? "13812345679" : "13812345678";
  const theirPhone = "13712345670";
  const mineNotes = "走访时补充：子女每月回家一次。";
  const theirAddress = "滨河镇黄河村五组 3 号";
  const newClientId = uuidv7();
  const visitId = uuidv7();
  const { id: _visitId, ...visitChanges } = visitBody(newClientId, visitId);
  const queued: Mutation[] = [
    { mutation_id: uuidv7(), entity: "client", op: "update", id: a.id, base_version: a.version, base: { phone: a.phone }, changes: { phone: minePhone } },
    { mutation_id: uuidv7(), entity: "client", op: "update", id: b.id, base_version: b.version, base: { notes: b.notes }, changes: { notes: mineNotes } },
    { mutation_id: uuidv7(), entity: "client", op: "create", id: newClientId, changes: newClientBody(worker.unitId) },
    { mutation_id: uuidv7(), entity: "session", op: "create", id: visitId, changes: visitChanges },
  ];
  ok(`${queued.length} mutations queued (new client ${newClientId}, visit ${visitId})`);

  step("5", "the colleague, online, changes A's phone and B's address through PATCH with If-Match");
  const theirA = await colleaguePatch(colleague, a.id, { phone: theirPhone });
  const theirB = await colleaguePatch(colleague, b.id, { address: theirAddress });
  ok(`A is at v${theirA.version} with phone ${theirPhone}, B at v${theirB.version} with a new address`);

  step("6", "push the batch");
  const { body: pushed } = expect(await worker.api.POST("/api/v1/sync/batch", { body: { mutations: queued } }), 200, "POST /sync/batch");
  equal(pushed.results.length, queued.length, "number of results");
  const [mA, mB, mNew, mVisit] = queued as [Mutation, Mutation, Mutation, Mutation];
  const rA = outcome(pushed.results, mA, 0, "conflict", "A (the colleague changed the same field)");
  equal(rA.version, theirA.version, "A's conflict: the current version");
  equal(rA.conflicts, [{ field: "phone", base: a.phone, mine: minePhone, theirs: theirPhone }], "A's conflicts");
  const rB = outcome(pushed.results, mB, 1, "merged", "B (the colleague changed another field)");
  equal(rB.version, theirB.version + 1, "B's merged version");
  const rNew = outcome(pushed.results, mNew, 2, "applied", "the new client");
  const rVisit = outcome(pushed.results, mVisit, 3, "applied", "the visit to the new client");
  ok(`A conflict (base ${a.phone}, mine ${minePhone}, theirs ${theirPhone}); B merged v${rB.version}; client and visit applied`);

  // A lost response: the same mutations again are the same results, written once.
  const { body: replayed } = expect(
    await worker.api.POST("/api/v1/sync/batch", { body: { mutations: [mNew, mVisit] } }),
    200,
    "POST /sync/batch (replay)",
  );
  equal(outcome(replayed.results, mNew, 0, "duplicate", "the new client, pushed again").version, rNew.version, "the new client's version, pushed again");
  equal(outcome(replayed.results, mVisit, 1, "duplicate", "the visit, pushed again").version, rVisit.version, "the visit's version, pushed again");
  ok("the create and the visit pushed again answer duplicate with the same versions");

  step("7", "resolve A's conflict: keep mine, on the version the conflict showed");
  const conflictVersion = rA.version;
  const resolution: Mutation = {
    mutation_id: uuidv7(), entity: "client", op: "update", id: a.id,
    base_version: conflictVersion, base: { phone: theirPhone }, changes: { phone: minePhone },
  };
  const { body: resolved } = expect(await worker.api.POST("/api/v1/sync/batch", { body: { mutations: [resolution] } }), 200, "POST /sync/batch (resolution)");
  equal(resolved.results.length, 1, "number of results");
  const rResolved = outcome(resolved.results, resolution, 0, "applied", "A's resolution");
  equal(rResolved.version, conflictVersion + 1, "A's resolved version");
  ok(`A applied at v${conflictVersion + 1} with phone ${minePhone}`);

  step("8", "second pull from the saved cursor");
  const cursorBefore = device.cursor;
  const second = await pull(worker, device, "second pull");
  assert(device.cursor !== cursorBefore || second.length === 0, "the cursor did not move");
  for (const [entity, id] of [["client", a.id], ["client", b.id], ["client", newClientId], ["session", visitId]] as const) {
    assert(second.some((c) => c.entity === entity && c.id === id && c.op === "upsert"), `the second pull has no upsert of ${entity} ${id}`);
  }
  const devA = device.get("client", a.id);
  assert(devA !== undefined, "A is gone from the device");
  equal([devA.version, field(devA.data, "phone")], [conflictVersion + 1, minePhone], "A on the device (version, phone)");
  const devB = device.get("client", b.id);
  assert(devB !== undefined, "B is gone from the device");
  equal(
    [devB.version, field(devB.data, "address"), field(devB.data, "notes")],
    [rB.version, theirAddress, mineNotes],
    "B on the device (version, the colleague's address, the device's note)",
  );
  const devNew = device.get("client", newClientId);
  assert(devNew !== undefined, "the new client is not on the device");
  equal([devNew.version, devNew.org_unit_id, field(devNew.data, "name")], [rNew.version, worker.unitId, "马桂兰"], "the new client on the device");
  const devVisit = device.get("session", visitId);
  assert(devVisit !== undefined, "the visit is not on the device");
  equal([devVisit.version, field(devVisit.data, "method")], [rVisit.version, "visit"], "the visit on the device");
  ok("the device has the colleague's address on B, its own note on B and phone on A, the new client and the visit");

  step("9", "checksums per unit equal the device's copy");
  const { body: sums } = expect(await worker.api.GET("/api/v1/sync/checksums"), 200, "GET /sync/checksums");
  const mine = device.checksums();
  const serverUnits = new Set<string>();
  for (const u of sums.units) {
    serverUnits.add(u.org_unit_id);
    const local = mine.get(u.org_unit_id) ?? { count: 0, checksum: "0000000000000000" };
    equal({ count: local.count, checksum: local.checksum }, { count: u.count, checksum: u.checksum }, `unit ${u.org_unit_id}: count and checksum`);
  }
  for (const unitId of mine.keys()) {
    assert(serverUnits.has(unitId), `the device holds records of unit ${unitId}, which GET /sync/checksums does not list`);
  }
  ok(`${sums.units.length} units, every count and checksum equal (${device.size} records)`);
}

async function colleaguePatch(colleague: Person, id: string, changes: Schemas["UpdateClient"]): Promise<ClientOut> {
  const got = expect(await colleague.api.GET("/api/v1/clients/{id}", { params: { path: { id } } }), 200, `GET /clients/${id}`);
  const version = etagVersion(got.response, `GET /clients/${id}`);
  equal(version, got.body.version, `GET /clients/${id}: ETag and version`);
  const patched = expect(
    await colleague.api.PATCH("/api/v1/clients/{id}", {
      params: { path: { id }, header: { "If-Match": ifMatch(version) } },
      body: changes,
    }),
    200,
    `PATCH /clients/${id}`,
  );
  equal(patched.body.version, version + 1, `PATCH /clients/${id}: new version`);
  equal(etagVersion(patched.response, `PATCH /clients/${id}`), version + 1, `PATCH /clients/${id}: ETag`);
  return patched.body;
}

/** What today's API can play of the day, without the sync endpoints. */
async function restOnlyDay(worker: Person, colleague: Person, units: ReadonlySet<string>): Promise<void> {
  step("3 (REST stand-in)", "read the station's clients through GET /clients and GET /clients/{id}");
  const { body: list } = expect(
    await worker.api.GET("/api/v1/clients", { params: { query: { org_unit_id: worker.unitId, limit: 200 } } }),
    200,
    "GET /clients",
  );
  const device = new Device();
  for (const summary of list.items.filter((c) => units.has(c.org_unit_id) && c.phone_masked != null).slice(0, 2)) {
    const { body: detail } = expect(await worker.api.GET("/api/v1/clients/{id}", { params: { path: { id: summary.id } } }), 200, `GET /clients/${summary.id}`);
    device.upsert({ entity: "client", id: detail.id, version: detail.version, org_unit_id: detail.org_unit_id, data: detail });
  }
  const [a, b] = pickClients(device, units);
  ok(`client A ${a.id} (v${a.version}, phone ${a.phone}), client B ${b.id} (v${b.version})`);

  step("4 (creations through REST)", "register the new client and record the home visit to them");
  const newClientId = uuidv7();
  const visitId = uuidv7();
  const create: CreateClient = { ...newClientBody(worker.unitId), id: newClientId };
  const created = expect(await worker.api.POST("/api/v1/clients", { body: create }), 201, "POST /clients");
  equal([created.body.id, created.body.org_unit_id, created.body.name], [newClientId, worker.unitId, create.name], "the new client");
  const again = expect(await worker.api.POST("/api/v1/clients", { body: create }), 200, "POST /clients (same id again)");
  equal([again.body.id, again.body.version], [newClientId, created.body.version], "the same client again");
  const visit = expect(await worker.api.POST("/api/v1/sessions", { body: visitBody(newClientId, visitId) }), 201, "POST /sessions (visit)");
  equal([visit.body.id, visit.body.method], [visitId, "visit"], "the visit");
  ok(`client ${newClientId} (201, then 200 for the same id) and visit ${visitId} (201)`);

  step("5", "the colleague, online, changes A's phone and B's address through PATCH with If-Match");
  const theirA = await colleaguePatch(colleague, a.id, { phone: "13712345670" });
  const theirB = await colleaguePatch(colleague, b.id, { address: "滨河镇黄河村五组 3 号" });
  ok(`A is at v${theirA.version}, B at v${theirB.version}`);

  step("6 (REST form)", "the worker's stale edit of A is refused: 412 on the old If-Match, nothing written");
  const stale = await worker.api.PATCH("/api/v1/clients/{id}", {
    params: { path: { id: a.id }, header: { "If-Match": ifMatch(a.version) } },
    body: { phone: "13812345678" },
  });
  equal(stale.response.status, 412, "PATCH /clients/{id} with a stale If-Match");
  const { body: still } = expect(await worker.api.GET("/api/v1/clients/{id}", { params: { path: { id: a.id } } }), 200, "GET /clients/{id}");
  equal([still.version, still.phone], [theirA.version, "13712345670"], "A after the refused edit");
  ok("412, and A keeps the colleague's phone");

  console.log("\n   left out in --rest-only: steps 3 (pull), 6 (batch push), 7 (resolution), 8 (second pull), 9 (checksums)");
}

async function main(): Promise<number> {
  const validator = new SpecValidator(SPEC);
  console.log(`offline day against ${SPEC}${REST_ONLY ? " (--rest-only)" : ""}`);
  step("1", "start the server on a fresh database with the demo data");
  const server = new ServerHarness({
    binary: defaultBinary(REPO),
    adminUrl: defaultAdminUrl(),
    logFile: resolve(process.env.OFFLINE_DAY_LOG ?? resolve(REPO, "target/offline-day/server.log")),
  });
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: stopping the server and dropping database ${server.databaseName}`);
    void server.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    await server.start();
    ok(`ready at ${server.base} (database ${server.databaseName}, log ${server.logFile})`);
    await offlineDay(server, validator);
  } finally {
    await server.stop();
    console.log(`\nserver stopped, database ${server.databaseName} dropped`);
  }
  const checked = [...validator.checked.values()].reduce((x, y) => x + y, 0);
  console.log(`${checked} responses of ${validator.checked.size} operations matched the spec`);
  console.log(REST_ONLY ? "offline day (REST steps only): passed" : "offline day: passed");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AssertionFailed || error instanceof ContractViolation) {
      console.error(`\nFAILED (${error.name}): ${error.message}`);
    } else {
      console.error("\nFAILED:", error);
    }
    process.exit(1);
  },
);
