//! Real responses against their documented schemas (QUALITY 21): each body is validated with a
//! JSON Schema validator against the schema the generated OpenAPI document gives its operation
//! and status (with `$ref`s into the components). The role matrix runs every operation through
//! `SpecCheck::check`; the test here adds the error statuses the matrix does not reach.

use std::cell::RefCell;
use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Res, TestApp};

/// Answers the server gives that the document does not list yet, each with where the fix belongs.
const KNOWN_OFF_SPEC: &[(&str, &str, &str)] = &[];

/// The generated OpenAPI document and the validators built from it so far.
pub struct SpecCheck {
    doc: Value,
    validators: RefCell<HashMap<String, jsonschema::Validator>>,
}

impl SpecCheck {
    /// The checker for the document the server serves.
    pub fn new() -> Self {
        let doc = serde_json::to_value(shegong::startup::openapi()).expect("document");
        Self { doc, validators: RefCell::new(HashMap::new()) }
    }

    /// Checks `res`, the answer to `method path_template`: its status is documented for the
    /// operation, and its body (by its content type) fits the documented schema.
    pub fn check(&self, method: &str, path_template: &str, res: &Res) -> Result<(), String> {
        let status = res.status.as_u16().to_string();
        let op = &self.doc["paths"][path_template][method.to_ascii_lowercase()];
        if !op.is_object() {
            return Err(format!("{method} {path_template} is not in the document"));
        }
        let Some(response) = op["responses"].get(&status) else {
            return Err(format!("{method} {path_template}: status {status} is not documented"));
        };
        let content_type = res.header("content-type").unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or("").trim().to_owned();
        let Some(content) = response["content"].as_object().filter(|c| !c.is_empty()) else {
            return if res.text.is_empty() {
                Ok(())
            } else {
                Err(format!("{method} {path_template} {status}: documented without a body, got {}", res.text))
            };
        };
        let Some(media_type) = content.get(&media) else {
            if KNOWN_OFF_SPEC.contains(&(method, path_template, media.as_str())) {
                return Ok(());
            }
            return Err(format!(
                "{method} {path_template} {status}: content type `{media}` not documented ({:?})",
                content.keys().collect::<Vec<_>>()
            ));
        };
        if !media.ends_with("json") {
            return Ok(());
        }
        let key = format!("{method} {path_template} {status} {media}");
        let mut validators = self.validators.borrow_mut();
        if !validators.contains_key(&key) {
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [media_type["schema"].clone()],
                "components": self.doc["components"].clone(),
            });
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| format!("{key}: the documented schema does not compile: {e}"))?;
            validators.insert(key.clone(), validator);
        }
        let validator = &validators[&key];
        let errors: Vec<String> =
            validator.iter_errors(&res.body).map(|e| format!("at `{}`: {e}", e.instance_path())).take(5).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{key}: body off its schema: {} — body: {}", errors.join("; "), truncate(&res.text)))
        }
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(400).collect()
}

#[test]
fn the_checker_refuses_a_body_off_its_schema() {
    let check = SpecCheck::new();
    let res = |status: u16, body: Value, ct: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", ct.parse().expect("ct"));
        Res { status: reqwest::StatusCode::from_u16(status).expect("status"), headers, text: body.to_string(), body }
    };
    let problem = json!({"type": "urn:shegong:problem:unauthorized", "title": "Unauthorized", "status": 401, "detail": "x"});
    check.check("GET", "/api/v1/clients", &res(401, problem.clone(), "application/problem+json")).expect("a problem fits");
    let mut bad = problem;
    bad["status"] = json!("401");
    assert!(check.check("GET", "/api/v1/clients", &res(401, bad, "application/problem+json")).is_err());
    let page = json!({"items": [{"id": "not-a-uuid"}], "next_cursor": null});
    assert!(check.check("GET", "/api/v1/clients", &res(200, page, "application/json")).is_err());
    let unit = json!({"tier": "County"});
    assert!(check.check("GET", "/api/v1/org-units/{id}", &res(200, unit, "application/json")).is_err());
}

#[actix_web::test]
async fn error_bodies_fit_their_documented_schemas() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let check = SpecCheck::new();
    let client = app
        .post("/api/v1/clients", &worker, json!({"org_unit_id": f.unit("town_a1"), "name": "规范", "id_type": "none"}))
        .await
        .expect(201);
    check.check("POST", "/api/v1/clients", &client).expect("201");
    let id = client.id();
    let item = format!("/api/v1/clients/{id}");
    let mut calls: Vec<(&str, &str, Res)> = Vec::new();
    let read = app.get(&item, &worker).await.expect(200);
    // The checker sees a body that drifts from the document: a Rust-spelled enum, a wrong type.
    for (field, wrong) in [("id_type", json!("None")), ("version", json!("1")), ("name", Value::Null)] {
        let mut body = read.body.clone();
        body[field] = wrong;
        let drifted = Res { status: read.status, headers: read.headers.clone(), text: body.to_string(), body };
        assert!(check.check("GET", "/api/v1/clients/{id}", &drifted).is_err(), "{field} drift not seen");
    }
    calls.push(("GET", "/api/v1/clients/{id}", read));
    calls.push(("GET", "/api/v1/clients/{id}", app.get(&format!("/api/v1/clients/{}", uuid::Uuid::now_v7()), &worker).await));
    calls.push(("GET", "/api/v1/clients", app.get("/api/v1/clients", &worker).await.expect(200)));
    calls.push(("GET", "/api/v1/clients", app.get("/api/v1/clients?q=%00", &worker).await.expect(422)));
    calls.push(("GET", "/api/v1/clients", app.get("/api/v1/clients?org_unit_id=%27", &worker).await.expect(400)));
    calls.push(("POST", "/api/v1/clients", app.post("/api/v1/clients", &worker, json!({"name": ""})).await.expect(422)));
    calls.push(("PATCH", "/api/v1/clients/{id}", app.patch(&item, &worker, "\"9\"", json!({"notes": "x"})).await.expect(412)));
    calls.push((
        "PATCH",
        "/api/v1/clients/{id}",
        app.send(Method::PATCH, &item, Some(&worker), Some(&json!({"notes": "x"})), &[]).await.expect(428),
    ));
    calls.push(("PATCH", "/api/v1/clients/{id}", app.patch(&item, &worker, "\"1\"", json!({"notes": "好"})).await.expect(200)));
    calls.push((
        "POST",
        "/api/v1/auth/login",
        app.send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "worker_a1", "password": "wrong"})), &[])
            .await
            .expect(401),
    ));
    let mut failures = Vec::new();
    for (method, path, res) in &calls {
        if let Err(e) = check.check(method, path, res) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "responses off the document:\n{}", failures.join("\n"));
}

/// A validator for `schema` (a fragment of the document) with the document's components.
fn request_validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema.clone()],
        "components": doc["components"].clone(),
    });
    jsonschema::draft202012::options().should_validate_formats(true).build(&schema).expect("compiles")
}

/// The schema of a parameter of an operation.
fn parameter_schema<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} documents {name}"))
}

/// The request side of the document says what the server takes, so a client (or a fuzzer)
/// generated from it sends what is accepted: the tagged session body can be satisfied, texts
/// refuse control characters, and the headers say their form.
#[test]
fn request_schemas_say_what_the_server_takes() {
    let doc = serde_json::to_value(shegong::startup::openapi()).expect("document");
    let body = &doc["paths"]["/api/v1/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let sessions = request_validator(&doc, body);
    let individual = json!({
        "method": "individual",
        "case_id": "01a237d0-bb6d-749d-919a-ff001acc32cf",
        "occurred_at": "2026-01-05T02:00:00Z",
        "duration_minutes": 30,
        "mode": "home_visit",
    });
    assert!(sessions.is_valid(&individual), "{:?}", sessions.iter_errors(&individual).map(|e| e.to_string()).collect::<Vec<_>>());
    let mut untagged = individual.clone();
    untagged.as_object_mut().expect("object").remove("method");
    assert!(!sessions.is_valid(&untagged), "the tag is required");
    let mut other_method = individual.clone();
    other_method["method"] = json!("group");
    assert!(!sessions.is_valid(&other_method), "a group session has a group, not a case");
    let mut unknown = individual;
    unknown["colour"] = json!("blue");
    assert!(!sessions.is_valid(&unknown), "unknown fields are refused");

    let clients = request_validator(&doc, &json!({"$ref": "#/components/schemas/CreateClient"}));
    let client = |name: &str| json!({"org_unit_id": "01a237d0-bb6d-749d-919a-ff001acc32cf", "name": name, "id_type": "none"});
    assert!(clients.is_valid(&client("王小明")));
    for refused in ["王\u{7}明", "王\u{85}明", "\u{202e}王明", "王\n明", "\u{200b}\u{3000}"] {
        assert!(!clients.is_valid(&client(refused)), "{refused:?} is refused by the server, so by the schema");
    }

    let search = request_validator(&doc, parameter_schema(&doc, "get", "/api/v1/clients", "q"));
    assert!(search.is_valid(&json!("王")));
    assert!(!search.is_valid(&json!("王\t")));
    let key = request_validator(&doc, parameter_schema(&doc, "post", "/api/v1/clients", "Idempotency-Key"));
    assert!(key.is_valid(&json!("3f2c-retry_1")));
    for refused in ["", "a b", "ключ", &"k".repeat(256)] {
        assert!(!key.is_valid(&json!(refused)), "{refused:?}");
    }
    let if_match = request_validator(&doc, parameter_schema(&doc, "patch", "/api/v1/clients/{id}", "If-Match"));
    assert!(if_match.is_valid(&json!("\"3\"")) && if_match.is_valid(&json!("W/\"3\"")));
    assert!(!if_match.is_valid(&json!("*")));
    let format = request_validator(&doc, parameter_schema(&doc, "get", "/api/v1/stats/export", "format"));
    assert!(format.is_valid(&json!("csv")) && format.is_valid(&json!("xlsx")) && !format.is_valid(&json!("pdf")));
}
