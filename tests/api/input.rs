//! Input at the edge (QUALITY 22): no text the API takes — body, query, path, header, cursor —
//! carries a control or bidi character past the edge or answers 500; text is NFC; names of only
//! invisible characters are blank; dates lie in a plausible range; parser errors are clean
//! problem+json naming the parameter. And the enums of the OpenAPI document are the wire codes.

use std::collections::{BTreeMap, BTreeSet};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Res, TestApp};

#[track_caller]
fn assert_field_problem(res: &Res, status: u16, field: &str) {
    assert_eq!(res.status.as_u16(), status, "body: {}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    let fields: Vec<&str> =
        res.body["errors"].as_array().map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect()).unwrap_or_default();
    assert!(fields.contains(&field), "expected an error on `{field}`, got {}", res.text);
}

fn client(f: &crate::helpers::Fixture, name: &str) -> Value {
    json!({"org_unit_id": f.unit("town_a1"), "name": name, "id_type": "none"})
}

fn cursor(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json.as_bytes())
}

#[actix_web::test]
async fn nul_and_controls_in_queries_paths_and_cursors_are_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    for (path, field) in [
        ("/api/v1/clients?q=%00", "q"),
        ("/api/v1/users?q=a%00b", "q"),
        ("/api/v1/org-units?q=%00", "q"),
        ("/api/v1/audit-events?entity_type=%00", "entity_type"),
        ("/api/v1/clients?q=%7F", "q"),
        ("/api/v1/clients?q=%C2%85", "q"),
        ("/api/v1/clients?q=%E2%80%AEabc", "q"),
        ("/api/v1/users?q=%E2%81%A6x", "q"),
        ("/api/v1/clients?q=%FF", "q"),
        ("/api/v1/clients/%00", "path"),
        ("/api/v1/org-units/%E2%80%AE", "path"),
    ] {
        let res = app.get(path, &admin).await;
        assert_field_problem(&res, 422, field);
    }
    // Forged cursors whose JSON holds a NUL, in the shapes the lists decode.
    for path in [
        format!("/api/v1/org-units?cursor={}", cursor("\"\\u0000\"")),
        format!("/api/v1/users?cursor={}", cursor(&format!("[\"a\\u0000\",\"{}\"]", f.user("admin_a")))),
    ] {
        let res = app.get(&path, &admin).await;
        assert_field_problem(&res, 422, "cursor");
    }
    // Tabs and line breaks are not part of any parameter either.
    let res = app.get("/api/v1/clients?q=a%09b", &admin).await;
    assert_field_problem(&res, 422, "q");
}

#[actix_web::test]
async fn nul_controls_and_bidi_in_json_bodies_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let admin = app.token("admin_a").await;

    let res =
        app.send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "a\u{0}", "password": "x"})), &[]).await;
    assert_field_problem(&res, 422, "username");

    let res = app.post("/api/v1/clients", &worker, client(&f, "张\u{0}三")).await;
    assert_field_problem(&res, 422, "name");
    let mut body = client(&f, "张三");
    body["address"] = json!("中卫市\u{1b}[31m");
    let res = app.post("/api/v1/clients", &worker, body).await;
    assert_field_problem(&res, 422, "address");
    let mut body = client(&f, "张三");
    body["guardian"] = json!({"name": "李\u{202e}四", "relation": "母亲", "phone": "13800138000"});
    let res = app.post("/api/v1/clients", &worker, body).await;
    assert_field_problem(&res, 422, "guardian.name");
    let res = app
        .post("/api/v1/org-units", &admin, json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "村\u{0}"}))
        .await;
    assert_field_problem(&res, 422, "name");
    let res = app
        .post(
            "/api/v1/cases",
            &worker,
            json!({"client_id": uuid::Uuid::now_v7(), "org_unit_id": f.unit("town_a1"), "source": "outreach",
                   "presenting_problem": "独居\u{0}", "domain": "elderly_care", "risk_level": "yellow"}),
        )
        .await;
    assert_field_problem(&res, 422, "presenting_problem");
    // A PATCH too, and the record is left as it was.
    let id = app.post("/api/v1/clients", &worker, client(&f, "王五")).await.expect(201).id();
    let res = app.patch(&format!("/api/v1/clients/{id}"), &worker, "\"1\"", json!({"notes": "x\u{9f}"})).await;
    assert_field_problem(&res, 422, "notes");
    let res = app.get(&format!("/api/v1/clients/{id}"), &worker).await.expect(200);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));

    // Free text keeps its tabs and line breaks; a name does not take them.
    let mut body = client(&f, "赵六");
    body["notes"] = json!("第一行\n\t第二行");
    app.post("/api/v1/clients", &worker, body).await.expect(201);
    let res = app.post("/api/v1/clients", &worker, client(&f, "赵\n六")).await;
    assert_field_problem(&res, 422, "name");
    assert_eq!(app.sql_i64("SELECT count(*) FROM clients WHERE name LIKE '%' || chr(1) || '%'").await, 0);
}

#[actix_web::test]
async fn controls_and_bidi_in_read_headers_are_422_naming_the_header() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let worker = app.token("worker_a1").await;
    // What HTTP lets through to the server: obs-text bytes (UTF-8 here) in a header value.
    let bidi = reqwest::header::HeaderValue::from_bytes("zh-CN\u{202e}".as_bytes()).expect("value");
    for name in ["Accept-Language", "Idempotency-Key", "If-Match"] {
        let res = app
            .client
            .post(format!("{}/api/v1/clients", app.base))
            .bearer_auth(&worker)
            .header(name, bidi.clone())
            .json(&json!({}))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status().as_u16(), 422, "{name}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["errors"][0]["field"], name, "{body}");
    }
    let res = app
        .client
        .get(format!("{}/api/v1/clients", app.base))
        .header("Authorization", reqwest::header::HeaderValue::from_bytes(b"Bearer \xc2\x85x").expect("value"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 422);
}

#[actix_web::test]
async fn text_is_stored_and_searched_in_nfc() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let decomposed = "Jose\u{301} 社工";
    let composed = "Jos\u{e9} 社工";
    let res = app.post("/api/v1/clients", &worker, client(&f, decomposed)).await.expect(201);
    assert_eq!(res.body["name"], composed);
    let stored = app.sql_i64(&format!("SELECT count(*) FROM clients WHERE name = '{composed}'")).await;
    assert_eq!(stored, 1, "stored in NFC");
    for q in ["Jos%C3%A9", "Jose%CC%81"] {
        let res = app.get(&format!("/api/v1/clients?q={q}"), &worker).await.expect(200);
        assert_eq!(res.body["items"].as_array().map(Vec::len), Some(1), "q={q}: {}", res.text);
    }
}

#[actix_web::test]
async fn names_of_only_invisible_characters_are_blank() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let admin = app.token("admin_a").await;
    for name in ["\u{200b}\u{200b}", "\u{feff}", "\u{3164}\u{3000}", "\u{2060}\u{200d}"] {
        let res = app.post("/api/v1/clients", &worker, client(&f, name)).await;
        assert_field_problem(&res, 422, "name");
        assert_eq!(res.body["errors"][0]["code"], "blank");
    }
    let res = app
        .post("/api/v1/org-units", &admin, json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "\u{200b}"}))
        .await;
    assert_field_problem(&res, 422, "name");
    let res = app
        .post("/api/v1/groups", &worker, json!({"org_unit_id": f.unit("town_a1"), "name": "\u{200c}", "type": "growth"}))
        .await;
    assert_field_problem(&res, 422, "name");
    assert_eq!(app.sql_i64("SELECT count(*) FROM clients").await, 0);
    // List items (problem types) too.
    let id = app.post("/api/v1/clients", &worker, client(&f, "孙八")).await.expect(201).id();
    let res = app
        .post(
            "/api/v1/cases",
            &worker,
            json!({"client_id": id, "org_unit_id": f.unit("town_a1"), "source": "outreach", "presenting_problem": "需要照料。",
                   "domain": "elderly_care", "risk_level": "yellow", "problem_types": ["\u{200b}"]}),
        )
        .await;
    assert_field_problem(&res, 422, "problem_types");
}

#[actix_web::test]
async fn dates_outside_their_plausible_range_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    for birth in ["0000-01-01", "-0001-01-01", "1899-12-31", "9999-01-01"] {
        let mut body = client(&f, "钱七");
        body["birth_date"] = json!(birth);
        let res = app.post("/api/v1/clients", &worker, body).await;
        assert_field_problem(&res, 422, "birth_date");
    }
    let mut body = client(&f, "钱七");
    body["birth_date"] = json!("1900-01-01");
    let id = app.post("/api/v1/clients", &worker, body).await.expect(201).id();
    let res = app.patch(&format!("/api/v1/clients/{id}"), &worker, "\"1\"", json!({"birth_date": "0000-01-01"})).await;
    assert_field_problem(&res, 422, "birth_date");

    for at in ["0000-01-01T00:00:00Z", "1999-12-31T12:00:00Z", "9999-01-01T00:00:00Z"] {
        let session = json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at,
                             "duration_minutes": 30, "title": "社区活动", "kind": "education", "participant_count": 3});
        let res = app.post("/api/v1/sessions", &worker, session).await;
        assert_field_problem(&res, 422, "occurred_at");
    }

    let case = app
        .post(
            "/api/v1/cases",
            &worker,
            json!({"client_id": id, "org_unit_id": f.unit("town_a1"), "source": "outreach", "presenting_problem": "需要照料。",
                   "domain": "elderly_care", "risk_level": "yellow"}),
        )
        .await
        .expect(201)
        .id();
    app.sql(&format!("UPDATE cases SET status = 'evaluation' WHERE id = '{case}'")).await;
    for due in ["0000-01-01", "9999-12-31"] {
        let res = app.post(&format!("/api/v1/cases/{case}/follow-ups"), &worker, json!({"due_on": due})).await;
        assert_field_problem(&res, 422, "due_on");
    }
    let soon = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive().to_string();
    let fu = app.post(&format!("/api/v1/cases/{case}/follow-ups"), &worker, json!({"due_on": soon})).await.expect(201).id();
    let res =
        app.patch(&format!("/api/v1/cases/{case}/follow-ups/{fu}"), &worker, "\"1\"", json!({"done_on": "0000-01-01"})).await;
    assert_field_problem(&res, 422, "done_on");
}

#[actix_web::test]
async fn query_parse_errors_name_the_parameter_without_parser_internals() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let worker = app.token("worker_a1").await;
    for (path, name) in [
        ("/api/v1/clients?org_unit_id=%27", "org_unit_id"),
        ("/api/v1/cases?status=open", "status"),
        ("/api/v1/sessions?from=yesterday", "from"),
    ] {
        let res = app.send(Method::GET, path, Some(&worker), None, &[("Accept-Language", "en")]).await;
        assert_eq!(res.status.as_u16(), 400, "{path}: {}", res.text);
        assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
        let detail = res.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&format!("`{name}`")), "{path}: {detail}");
        for leak in ["UUID parsing", "urn:uuid", "invalid character", "input contains", "deserialize"] {
            assert!(!detail.contains(leak), "{path} leaks `{leak}`: {detail}");
        }
    }
}

#[actix_web::test]
async fn a_long_url_is_a_problem_not_an_empty_400() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let worker = app.token("worker_a1").await;
    // Past what any client of the API sends, but within what the HTTP layer parses itself.
    let long = "a".repeat(20_000);
    let res = app.get(&format!("/api/v1/clients?q={long}"), &worker).await;
    assert_eq!(res.status.as_u16(), 414, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(res.body["status"], 414);
}

/// What the HTTP layer refuses before any of the server's code runs: a request head past the
/// 64 KiB actix-http parses, or a header value with a byte HTTP forbids (DEL). actix-http answers
/// these itself, with a fixed status and no body, and closes the connection; the server is
/// unharmed and the next request is served as usual.
#[actix_web::test]
async fn what_the_http_layer_refuses_closes_the_connection_and_harms_nothing() {
    use std::io::{Read, Write};
    let app = TestApp::spawn().await;
    app.fixture().await;
    let worker = app.token("worker_a1").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let long = format!("GET /api/v1/clients?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000));
    let del = "GET /api/v1/reference HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\x7fen\r\n\r\n".to_owned();
    for (what, request, statuses) in [("a 100 KB URL", long, ["400", "431"]), ("DEL in a header", del, ["400", "400"])] {
        let addr = addr.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let mut conn = std::net::TcpStream::connect(addr).expect("connect");
            conn.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
            // The server may answer and close before it has read the whole head.
            let _ = conn.write_all(request.as_bytes());
            let mut answer = Vec::new();
            let _ = conn.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).into_owned()
        })
        .await
        .expect("raw request");
        let status = answer.split(' ').nth(1).unwrap_or_default();
        assert!(statuses.contains(&status), "{what}: {answer}");
        assert!(answer.ends_with("\r\n\r\n"), "{what}: no body expected: {answer}");
    }
    let res = app.get("/api/v1/clients", &worker).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text);
}

/// Converts a schema name (`ClientCategory`) to its reference-data name (`client_category`).
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Follows `$ref` to the name of a component schema with an `enum`, also through `items`,
/// `oneOf`/`anyOf` (how a nullable reference is written) and arrays.
fn enum_ref(schema: &Value, enums: &BTreeMap<String, Vec<String>>) -> Option<(String, bool)> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next()?.to_owned();
        return enums.contains_key(&name).then_some((name, false));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(list) = schema[key].as_array() {
            if let Some(found) = list.iter().find_map(|s| enum_ref(s, enums)) {
                return Some(found);
            }
        }
    }
    if schema["items"].is_object() {
        return enum_ref(&schema["items"], enums).map(|(n, _)| (n, true));
    }
    None
}

#[actix_web::test]
async fn every_documented_enum_is_the_codes_reference_serves_and_the_server_accepts() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    let spec = app.send(Method::GET, "/openapi.json", None, None, &[]).await.expect(200).body;
    let reference = app.get("/api/v1/reference", &admin).await.expect(200).body;

    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let mut enums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, schema) in schemas {
        if let Some(values) = schema["enum"].as_array() {
            enums.insert(name.clone(), values.iter().map(|v| v.as_str().expect("string enum").to_owned()).collect());
        }
    }
    assert!(enums.len() >= 30, "the document lists the coded enums: {:?}", enums.keys());
    let reference = reference.as_object().expect("reference");
    for (name, values) in &enums {
        let codes: Vec<String> = reference
            .get(&snake(name))
            .unwrap_or_else(|| panic!("{name} is not served by /reference"))
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l["code"].as_str().expect("code").to_owned())
            .collect();
        assert_eq!(values, &codes, "{name}: the document and /reference disagree");
    }

    // The wire: every enum property of every request body takes each documented value, and
    // refuses the Rust spelling the document once listed.
    let mut exercised: BTreeSet<String> = BTreeSet::new();
    let mut failures = Vec::new();
    let any_id = f.unit("town_a1").to_string();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else { continue };
            let schema = match schema["$ref"].as_str() {
                Some(r) => &schemas[r.rsplit('/').next().expect("name")],
                None => schema,
            };
            let Some(props) = schema["properties"].as_object() else { continue };
            let url = path.split('/').map(|s| if s.starts_with('{') { any_id.as_str() } else { s }).collect::<Vec<_>>().join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for (prop, prop_schema) in props {
                let Some((enum_name, is_list)) = enum_ref(prop_schema, &enums) else { continue };
                let wrong = {
                    let first = &enums[&enum_name][0];
                    let mut c = first.chars();
                    c.next().map(|h| h.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default() + "X"
                };
                for value in enums[&enum_name].iter().chain(std::iter::once(&wrong)) {
                    let v = if is_list { json!([value]) } else { json!(value) };
                    let body = json!({ prop.as_str(): v });
                    let res = app.send(method.clone(), &url, Some(&admin), Some(&body), &[("If-Match", "\"1\"")]).await;
                    let refused = res.body["errors"].as_array().is_some_and(|errs| {
                        errs.iter().any(|e| {
                            e["field"].as_str().is_some_and(|fl| fl == prop || fl.starts_with(&format!("{prop}[")))
                                && e["message"].as_str().is_some_and(|m| m.contains("unknown variant"))
                        })
                    });
                    if (value == &wrong) != refused {
                        failures.push(format!("{method} {path} {prop}={value}: {} {}", res.status, res.text));
                    }
                    assert!(res.status.as_u16() < 500, "{method} {path}: {}", res.text);
                }
                exercised.insert(enum_name);
            }
        }
    }
    assert!(failures.is_empty(), "enum values the wire disagrees on:\n{}", failures.join("\n"));
    assert!(exercised.len() >= 20, "request bodies exercised only {exercised:?}");
}
