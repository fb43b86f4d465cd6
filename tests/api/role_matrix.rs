//! The role matrix (QUALITY 5): for every operation of the OpenAPI document and every caller —
//! no token, worker (`worker_a1`), supervisor (`sup_a`), admin (`admin_a`) — the status the
//! matrix says. The test first checks that the table covers exactly the documented operations,
//! so a route added later without a row fails here.
//!
//! Adding a route: add one `Row` to `rows()` (method, path template as in the OpenAPI document,
//! expected statuses, which session to use and a builder for the request). Path parameters are
//! filled with fixture ids inside every caller's scope, and bodies are valid, so an allowed role
//! gets its success status and a refused one gets 403 for its role alone. Every request is made
//! fresh (unique names, the current `If-Match`), so rows never depend on one another.
//!
//! Sign-in rows take no bearer token: for them "no token" means bad credentials (401) and a role
//! means the credentials of a user with that role.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{
    consent,
    fixtures::{Fixture, PASSWORD},
    TestApp,
};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Nobody,
    Worker,
    Supervisor,
    Admin,
}

const CALLERS: [Who; 4] = [Who::Nobody, Who::Worker, Who::Supervisor, Who::Admin];

impl Who {
    /// The fixture user playing the role.
    fn username(self) -> &'static str {
        match self {
            Who::Nobody => "",
            Who::Worker => "worker_a1",
            Who::Supervisor => "sup_a",
            Who::Admin => "admin_a",
        }
    }
    fn role(self) -> &'static str {
        match self {
            Who::Nobody => "",
            Who::Worker => "worker",
            Who::Supervisor => "supervisor",
            Who::Admin => "admin",
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Who::Worker => "town_a1",
            _ => "county_a",
        }
    }
}

/// Expected statuses for no token, worker, supervisor, admin.
type Expect = [u16; 4];
/// Everyone signed in may.
const ALL: Expect = [401, 200, 200, 200];
/// No token needed at all.
const OPEN: Expect = [200, 200, 200, 200];
/// An admin-only create.
const ADMIN_CREATE: Expect = [401, 403, 403, 201];
/// An admin-only change.
const ADMIN_CHANGE: Expect = [401, 403, 403, 200];
/// An admin-only action answering 204.
const ADMIN_ACTION: Expect = [401, 403, 403, 204];
/// Everyone signed in may, answering 204.
const ALL_204: Expect = [401, 204, 204, 204];
/// Casework creates: workers and supervisors, not admins.
const CASEWORK_CREATE: Expect = [401, 201, 201, 403];
/// Casework changes: workers and supervisors, not admins.
const CASEWORK_CHANGE: Expect = [401, 200, 200, 403];
/// Supervisors and admins read it; workers do not.
const OVERSIGHT: Expect = [401, 403, 200, 200];

/// Which session a row's request uses.
#[derive(Clone, Copy)]
enum Uses {
    /// The caller's one session, signed in once for the whole test.
    Main,
    /// A new session of the caller (for rows that spend a refresh token).
    Fresh,
    /// A new user with the caller's role, in the caller's unit (for rows that end the user's
    /// sessions, such as a password change).
    Disposable,
}

/// A signed-in session.
#[derive(Clone, Default)]
struct Session {
    username: String,
    access: String,
    refresh: String,
}

/// What to send.
struct Call {
    path: String,
    body: Option<Value>,
    /// Send the session's access token (never for `Who::Nobody`).
    bearer: bool,
    /// Send `If-Match` with the current version of this row (table, id).
    if_match: Option<(&'static str, Uuid)>,
}

impl Call {
    fn to(path: impl Into<String>) -> Self {
        Self { path: path.into(), body: None, bearer: true, if_match: None }
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn unauthenticated(mut self) -> Self {
        self.bearer = false;
        self
    }
    fn if_match(mut self, table: &'static str, id: Uuid) -> Self {
        self.if_match = Some((table, id));
        self
    }
}

/// Builds a request for a caller; `n` is unique per request.
type Build = fn(&Fixture, Who, &Session, &str) -> Call;

struct Row {
    method: &'static str,
    path: &'static str,
    expect: Expect,
    uses: Uses,
    build: Build,
}

const fn row(method: &'static str, path: &'static str, expect: Expect, uses: Uses, build: Build) -> Row {
    Row { method, path, expect, uses, build }
}

/// The matrix: one row per documented operation.
fn rows() -> Vec<Row> {
    use Uses::*;
    vec![
        row("GET", "/livez", OPEN, Main, |_, _, _, _| Call::to("/livez")),
        row("GET", "/readyz", OPEN, Main, |_, _, _, _| Call::to("/readyz")),
        // Sign-in rows: "no token" = bad credentials.
        row("POST", "/api/v1/auth/login", [401, 200, 200, 200], Main, |_, who, _, _| {
            let creds = match who {
                Who::Nobody => json!({"username": "nobody", "password": "Not-A-Password-1"}),
                _ => json!({"username": who.username(), "password": PASSWORD}),
            };
            Call::to("/api/v1/auth/login").body(creds).unauthenticated()
        }),
        row("POST", "/api/v1/auth/refresh", [401, 200, 200, 200], Fresh, |_, who, s, n| {
            let token = if who == Who::Nobody { format!("{}.forged{n}", Uuid::now_v7().simple()) } else { s.refresh.clone() };
            Call::to("/api/v1/auth/refresh").body(json!({"refresh_token": token})).unauthenticated()
        }),
        // Ends the main session's refresh family only; its access token (used by other rows) lives on.
        row("POST", "/api/v1/auth/logout", ALL_204, Main, |_, _, s, _| {
            Call::to("/api/v1/auth/logout").body(json!({"refresh_token": s.refresh}))
        }),
        row("GET", "/api/v1/me", ALL, Main, |_, _, _, _| Call::to("/api/v1/me")),
        row("POST", "/api/v1/me/password", ALL_204, Disposable, |_, _, _, n| {
            Call::to("/api/v1/me/password")
                .body(json!({"current_password": PASSWORD, "new_password": format!("Changed-Pass-{n}")}))
        }),
        row("GET", "/api/v1/reference", ALL, Main, |_, _, _, _| Call::to("/api/v1/reference")),
        row("GET", "/api/v1/org-units", ALL, Main, |_, _, _, _| Call::to("/api/v1/org-units")),
        row("POST", "/api/v1/org-units", ADMIN_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/org-units")
                .body(json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": format!("矩阵村{n}")}))
        }),
        row("GET", "/api/v1/org-units/{id}", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/org-units/{}", f.unit("village_a1")))
        }),
        row("PATCH", "/api/v1/org-units/{id}", ADMIN_CHANGE, Main, |f, _, _, n| {
            let id = f.unit("village_a1");
            Call::to(format!("/api/v1/org-units/{id}")).body(json!({"name": format!("矩阵村改名{n}")})).if_match("org_units", id)
        }),
        row("GET", "/api/v1/org-units/{id}/children", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/org-units/{}/children", f.unit("town_a1")))
        }),
        row("GET", "/api/v1/users", ALL, Main, |_, _, _, _| Call::to("/api/v1/users")),
        row("POST", "/api/v1/users", ADMIN_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/users").body(json!({
                "username": format!("matrix.user{n}"), "display_name": "矩阵用户", "org_unit_id": f.unit("village_a1"),
                "role": "worker", "password": "Matrix-User-2026",
            }))
        }),
        row("GET", "/api/v1/users/{id}", ALL, Main, |f, _, _, _| Call::to(format!("/api/v1/users/{}", f.user("worker_a1b")))),
        row("PATCH", "/api/v1/users/{id}", ADMIN_CHANGE, Main, |f, _, _, n| {
            let id = f.user("worker_a1b");
            Call::to(format!("/api/v1/users/{id}")).body(json!({"display_name": format!("矩阵{n}")})).if_match("users", id)
        }),
        row("POST", "/api/v1/users/{id}/reset-password", ADMIN_ACTION, Main, |f, _, _, n| {
            Call::to(format!("/api/v1/users/{}/reset-password", f.user("worker_v_a1")))
                .body(json!({"new_password": format!("Reset-Pass-{n}")}))
        }),
        row("GET", "/api/v1/clients", ALL, Main, |_, _, _, _| Call::to("/api/v1/clients")),
        row("POST", "/api/v1/clients", CASEWORK_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/clients")
                .body(json!({"org_unit_id": f.unit("village_a1"), "name": format!("矩阵对象{n}"), "id_type": "none"}))
        }),
        row("GET", "/api/v1/clients/{id}", ALL, Main, |f, _, _, _| Call::to(format!("/api/v1/clients/{}", f.extra["client"]))),
        row("PATCH", "/api/v1/clients/{id}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["client"];
            Call::to(format!("/api/v1/clients/{id}")).body(json!({"notes": format!("矩阵{n}")})).if_match("clients", id)
        }),
        row("DELETE", "/api/v1/clients/{id}", [401, 403, 204, 403], Main, |f, _, _, _| {
            Call::to(format!("/api/v1/clients/{}", f.extra["client_to_delete"]))
        }),
        row("GET", "/api/v1/clients/{id}/timeline", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/clients/{}/timeline", f.extra["client"]))
        }),
        row("GET", "/api/v1/clients/{id}/access-log", OVERSIGHT, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/clients/{}/access-log", f.extra["client"]))
        }),
        row("POST", "/api/v1/households", CASEWORK_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/households").body(json!({"org_unit_id": f.unit("town_a1"), "address": format!("矩阵路{n}号")}))
        }),
        row("GET", "/api/v1/households/{id}", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/households/{}", f.extra["household"]))
        }),
        row("PUT", "/api/v1/households/{id}/members", CASEWORK_CHANGE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/households/{}/members", f.extra["household"]))
                .body(json!({"members": [{"client_id": f.extra["client"], "relation": "self"}]}))
                .if_match("households", f.extra["household"])
        }),
        row("POST", "/api/v1/sync/batch", ALL, Main, |f, _, _, n| {
            Call::to("/api/v1/sync/batch").body(json!({"mutations": [{
                "mutation_id": Uuid::now_v7(), "entity": "client", "op": "create", "id": Uuid::now_v7(),
                "changes": {"org_unit_id": f.unit("town_a1"), "name": format!("矩阵同步{n}"), "id_type": "none"},
            }]}))
        }),
        row("GET", "/api/v1/sessions", ALL, Main, |_, _, _, _| Call::to("/api/v1/sessions")),
        row("POST", "/api/v1/sessions", CASEWORK_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/sessions").body(json!({
                "method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": "2026-01-05T02:00:00Z",
                "duration_minutes": 60, "title": format!("矩阵活动{n}"), "kind": "event", "participant_count": 10,
            }))
        }),
        row("GET", "/api/v1/sessions/{id}", ALL, Main, |f, _, _, _| Call::to(format!("/api/v1/sessions/{}", f.extra["session"]))),
        // The worker recorded the session; supervisors may edit any session in scope.
        row("PATCH", "/api/v1/sessions/{id}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["session"];
            Call::to(format!("/api/v1/sessions/{id}"))
                .body(json!({"summary": format!("矩阵{n}")}))
                .if_match("service_sessions", id)
        }),
        row("GET", "/api/v1/groups", ALL, Main, |_, _, _, _| Call::to("/api/v1/groups")),
        row("POST", "/api/v1/groups", CASEWORK_CREATE, Main, |f, _, _, n| {
            Call::to("/api/v1/groups")
                .body(json!({"org_unit_id": f.unit("town_a1"), "name": format!("矩阵小组{n}"), "type": "interest"}))
        }),
        row("GET", "/api/v1/groups/{id}", ALL, Main, |f, _, _, _| Call::to(format!("/api/v1/groups/{}", f.extra["group"]))),
        row("PATCH", "/api/v1/groups/{id}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["group"];
            Call::to(format!("/api/v1/groups/{id}")).body(json!({"goals": format!("矩阵{n}")})).if_match("groups", id)
        }),
        row("PUT", "/api/v1/groups/{id}/members", CASEWORK_CHANGE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/groups/{}/members", f.extra["group"]))
                .body(json!({"members": [{"client_id": f.extra["client"]}]}))
                .if_match("groups", f.extra["group"])
        }),
        row("GET", "/api/v1/roster-entries", ALL, Main, |_, _, _, _| Call::to("/api/v1/roster-entries?responsible=me")),
        // One programme per caller: a client has one active entry per programme.
        row("POST", "/api/v1/roster-entries", CASEWORK_CREATE, Main, |f, who, _, _| {
            let programme = match who {
                Who::Worker => "elder_care",
                Who::Supervisor => "disability_care",
                _ => "other",
            };
            Call::to("/api/v1/roster-entries")
                .body(json!({"client_id": f.extra["client"], "programme": programme, "level": "blue"}))
        }),
        row("GET", "/api/v1/roster-entries/{id}", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/roster-entries/{}", f.extra["roster"]))
        }),
        // worker_a1 is responsible; supervisors may change any entry in scope.
        row("PATCH", "/api/v1/roster-entries/{id}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["roster"];
            Call::to(format!("/api/v1/roster-entries/{id}"))
                .body(json!({"notes": format!("矩阵{n}")}))
                .if_match("roster_entries", id)
        }),
        row("POST", "/api/v1/roster-entries/{id}/leave", CASEWORK_CHANGE, Main, |f, who, _, _| {
            let id = f.extra[per_caller("roster_leave", who)];
            Call::to(format!("/api/v1/roster-entries/{id}/leave"))
                .body(json!({"reason": "relocated"}))
                .if_match("roster_entries", id)
        }),
        row("POST", "/api/v1/roster-entries/{id}/rerate", CASEWORK_CHANGE, Main, |f, who, _, _| {
            let id = f.extra[per_caller("roster_rerate", who)];
            Call::to(format!("/api/v1/roster-entries/{id}/rerate"))
                .body(json!({"level": "yellow"}))
                .if_match("roster_entries", id)
        }),
        row("POST", "/api/v1/roster-entries/{id}/proposal", CASEWORK_CHANGE, Main, |f, who, _, _| {
            let id = f.extra[per_caller("roster_proposal", who)];
            Call::to(format!("/api/v1/roster-entries/{id}/proposal"))
                .body(json!({"decision": "reject", "note": "本次观察不足以调整"}))
                .if_match("roster_entries", id)
        }),
        row("GET", "/api/v1/org-units/{id}/visit-intervals", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/org-units/{}/visit-intervals", f.unit("town_a1")))
        }),
        row("PUT", "/api/v1/org-units/{id}/visit-intervals", [401, 403, 200, 200], Main, |f, _, _, _| {
            let unit = f.unit("town_a1");
            Call::to(format!("/api/v1/org-units/{unit}/visit-intervals"))
                .body(json!({"red": 7, "yellow": 14, "blue": 30, "green": 60}))
                .if_match(INTERVALS, unit)
        }),
        row("GET", "/api/v1/sync/changes", ALL, Main, |_, _, _, _| Call::to("/api/v1/sync/changes?limit=5")),
        row("GET", "/api/v1/sync/checksums", ALL, Main, |_, _, _, _| Call::to("/api/v1/sync/checksums")),
        row("GET", "/api/v1/alerts", ALL, Main, |_, _, _, _| Call::to("/api/v1/alerts?status=open")),
        row("POST", "/api/v1/alerts/{id}/acknowledge", [401, 403, 200, 403], Main, |f, _, _, _| {
            Call::to(format!("/api/v1/alerts/{}/acknowledge", f.extra["alert"])).body(json!({"note": "已电话核实，安排上门"}))
        }),
        row("GET", "/api/v1/audit-events", OVERSIGHT, Main, |_, _, _, _| Call::to("/api/v1/audit-events")),
        row("GET", "/api/v1/caseload", OVERSIGHT, Main, |_, _, _, _| Call::to("/api/v1/caseload")),
        row("GET", "/api/v1/stats", OVERSIGHT, Main, |_, _, _, _| Call::to("/api/v1/stats")),
        row("GET", "/api/v1/stats/export", OVERSIGHT, Main, |_, _, _, _| Call::to("/api/v1/stats/export?format=csv")),
        row("GET", "/api/v1/cases", ALL, Main, |_, _, _, _| Call::to("/api/v1/cases")),
        row("POST", "/api/v1/cases", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to("/api/v1/cases").body(case_body(f.extra["client"], f.unit("town_a1")))
        }),
        row("GET", "/api/v1/cases/{id}", ALL, Main, |f, _, _, _| Call::to(format!("/api/v1/cases/{}", f.extra["case"]))),
        row("PATCH", "/api/v1/cases/{id}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["case"];
            Call::to(format!("/api/v1/cases/{id}"))
                .body(json!({"presenting_problem": format!("矩阵主诉{n}")}))
                .if_match("cases", id)
        }),
        // One fresh intake case per caller: the assigned worker and a supervisor may start it.
        row("POST", "/api/v1/cases/{id}/transitions", CASEWORK_CHANGE, Main, |f, who, _, _| {
            let id = f.extra[per_caller("case_intake", who)];
            Call::to(format!("/api/v1/cases/{id}/transitions")).body(json!({"action": "start_assessment"})).if_match("cases", id)
        }),
        row("POST", "/api/v1/cases/{id}/transfer", [401, 403, 200, 403], Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/transfer", f.extra["case_transfer"]))
                .body(json!({"worker_id": f.user("worker_a1b"), "note": "工作交接"}))
                .if_match("cases", f.extra["case_transfer"])
        }),
        row("GET", "/api/v1/cases/{id}/timeline", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/timeline", f.extra["case"]))
        }),
        row("GET", "/api/v1/cases/{id}/assessments", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/assessments", f.extra["case"]))
        }),
        row("POST", "/api/v1/cases/{id}/assessments", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/assessments", f.extra["case_assessment"])).body(json!({
                "sources": ["interview"], "needs": ["日常照料"], "risk_level": "yellow", "summary": "需要定期探访。"
            }))
        }),
        row("GET", "/api/v1/cases/{id}/plans", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/plans", f.extra["case"]))
        }),
        row("POST", "/api/v1/cases/{id}/plans", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/plans", f.extra["case_planning"])).body(json!({
                "overall_goal": "重建支持网络。", "goals": [{"description": "每周家访", "measure": "家访记录"}]
            }))
        }),
        row("GET", "/api/v1/cases/{id}/evaluations", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/evaluations", f.extra["case"]))
        }),
        row("POST", "/api/v1/cases/{id}/evaluations", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/evaluations", f.extra["case_evaluation"]))
                .body(json!({"summary": "状况改善。", "goal_results": [], "recommendation": "continue"}))
        }),
        row("GET", "/api/v1/cases/{id}/follow-ups", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/follow-ups", f.extra["case_evaluation"]))
        }),
        row("POST", "/api/v1/cases/{id}/follow-ups", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/follow-ups", f.extra["case_evaluation"]))
                .body(json!({"due_on": "2027-01-15", "mode": "phone"}))
        }),
        row("PATCH", "/api/v1/cases/{id}/follow-ups/{fid}", CASEWORK_CHANGE, Main, |f, _, _, n| {
            let id = f.extra["follow_up"];
            Call::to(format!("/api/v1/cases/{}/follow-ups/{id}", f.extra["case_evaluation"]))
                .body(json!({"due_on": format!("2027-02-{:02}", 1 + n.parse::<u32>().unwrap_or(0) % 28)}))
                .if_match("follow_ups", id)
        }),
        row("GET", "/api/v1/cases/{id}/referrals", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/referrals", f.extra["case"]))
        }),
        row("POST", "/api/v1/cases/{id}/referrals", CASEWORK_CREATE, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/cases/{}/referrals", f.extra["case"])).body(json!({
                "direction": "out", "organization": "县残联", "reason": "申请辅具", "consent_given": true
            }))
        }),
        // One referral per caller: each accepted once.
        row("PATCH", "/api/v1/referrals/{id}", CASEWORK_CHANGE, Main, |f, who, _, _| {
            let id = f.extra[per_caller("referral", who)];
            Call::to(format!("/api/v1/referrals/{id}")).body(json!({"status": "accepted"})).if_match("referrals", id)
        }),
        row("GET", "/api/v1/reviews", ALL, Main, |_, _, _, _| Call::to("/api/v1/reviews")),
        row("POST", "/api/v1/reviews/{id}/decision", [401, 403, 200, 403], Main, |f, _, _, _| {
            Call::to(format!("/api/v1/reviews/{}/decision", f.extra["review"]))
                .body(json!({"decision": "approve"}))
                .if_match("cases", f.extra["review_case"])
        }),
        row("GET", "/api/v1/supervision-records", ALL, Main, |_, _, _, _| Call::to("/api/v1/supervision-records")),
        row("POST", "/api/v1/supervision-records", [401, 403, 201, 403], Main, |f, _, _, _| {
            Call::to("/api/v1/supervision-records").body(json!({
                "occurred_at": "2026-01-05T02:00:00Z", "duration_minutes": 60, "format": "individual", "function": "supportive",
                "supervisee_ids": [f.user("worker_a1")]
            }))
        }),
        row("GET", "/api/v1/supervision-records/{id}", ALL, Main, |f, _, _, _| {
            Call::to(format!("/api/v1/supervision-records/{}", f.extra["supervision"]))
        }),
        row("PATCH", "/api/v1/supervision-records/{id}", [401, 403, 200, 403], Main, |f, _, _, n| {
            let id = f.extra["supervision"];
            Call::to(format!("/api/v1/supervision-records/{id}"))
                .body(json!({"advice": format!("矩阵{n}")}))
                .if_match("supervision_records", id)
        }),
    ]
}

/// Every (method, path) the OpenAPI document lists under `/api/v1`, plus the probes.
fn documented_operations() -> BTreeSet<(String, String)> {
    let api = shegong::startup::openapi();
    let mut ops = BTreeSet::new();
    for (path, item) in &api.paths.paths {
        if !(path.starts_with("/api/v1/") || path == "/livez" || path == "/readyz") {
            continue;
        }
        let methods = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
        ];
        for (method, op) in methods {
            if op.is_some() {
                ops.insert((method.to_owned(), path.clone()));
            }
        }
    }
    ops
}

#[test]
fn the_matrix_covers_every_documented_operation() {
    let table: Vec<(String, String)> = rows().iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let set: BTreeSet<(String, String)> = table.iter().cloned().collect();
    assert_eq!(set.len(), table.len(), "one row per operation");
    let documented = documented_operations();
    let missing: Vec<_> = documented.difference(&set).collect();
    let stale: Vec<_> = set.difference(&documented).collect();
    assert!(missing.is_empty(), "operations without a role-matrix row: {missing:?}");
    assert!(stale.is_empty(), "rows for operations the API does not document: {stale:?}");
}

/// A number that changes with any write to the hierarchy or the accounts.
const FINGERPRINT: &str = "SELECT (SELECT count(*) + coalesce(sum(version), 0) FROM org_units) \
     + (SELECT count(*) + coalesce(sum(version + token_version), 0) FROM users) \
     + (SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM clients) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM households) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM service_sessions) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM groups) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM cases) \
     + (SELECT count(*) FROM reviews WHERE status = 'pending') \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM referrals) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM follow_ups) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM supervision_records) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM roster_entries) \
     + (SELECT count(*) FROM roster_level_events WHERE status = 'proposed') \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM supervisor_alerts) \
     + (SELECT count(*) + coalesce(sum(version), 0) FROM unit_visit_intervals)";

/// A unit's own visit intervals as a table keyed by `id`, for `If-Match` (`etag_of`).
const INTERVALS: &str = "(SELECT org_unit_id AS id, version FROM unit_visit_intervals) AS intervals";

/// The name of a record made once per caller (rows whose success cannot be repeated).
fn per_caller(name: &'static str, who: Who) -> &'static str {
    match (name, who) {
        ("case_intake", Who::Supervisor) => "case_intake_supervisor",
        ("case_intake", Who::Admin) => "case_intake_admin",
        ("case_intake", _) => "case_intake_worker",
        ("roster_leave", Who::Supervisor) => "roster_leave_supervisor",
        ("roster_leave", Who::Admin) => "roster_leave_admin",
        ("roster_leave", _) => "roster_leave_worker",
        ("roster_rerate", Who::Supervisor) => "roster_rerate_supervisor",
        ("roster_rerate", Who::Admin) => "roster_rerate_admin",
        ("roster_rerate", _) => "roster_rerate_worker",
        ("roster_proposal", Who::Supervisor) => "roster_proposal_supervisor",
        ("roster_proposal", Who::Admin) => "roster_proposal_admin",
        ("roster_proposal", _) => "roster_proposal_worker",
        ("referral", Who::Supervisor) => "referral_supervisor",
        ("referral", Who::Admin) => "referral_admin",
        (_, _) => "referral_worker",
    }
}

fn case_body(client: Uuid, unit: Uuid) -> Value {
    json!({"client_id": client, "org_unit_id": unit, "source": "outreach", "presenting_problem": "独居老人需要照料。",
           "domain": "elderly_care", "risk_level": "yellow"})
}

/// Records the rows work on: a client (and one to delete), a household, a group, a session.
async fn casework_records(app: &TestApp, f: &mut Fixture) {
    let worker = app.token("worker_a1").await;
    let town = f.unit("town_a1");
    let client = |name: &str| json!({"org_unit_id": town, "name": name, "id_type": "none", "consent": consent()});
    f.extra
        .insert("client", app.post("/api/v1/clients", &worker, client("矩阵甲")).await.expect(201).id().parse().expect("uuid"));
    f.extra.insert(
        "client_to_delete",
        app.post("/api/v1/clients", &worker, client("矩阵乙")).await.expect(201).id().parse().expect("uuid"),
    );
    let household = app.post("/api/v1/households", &worker, json!({"org_unit_id": f.unit("town_a1")})).await.expect(201);
    f.extra.insert("household", household.id().parse().expect("uuid"));
    let group = app
        .post("/api/v1/groups", &worker, json!({"org_unit_id": f.unit("town_a1"), "name": "矩阵小组", "type": "growth"}))
        .await
        .expect(201);
    f.extra.insert("group", group.id().parse().expect("uuid"));
    let session = app
        .post(
            "/api/v1/sessions",
            &worker,
            json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": "2026-01-05T02:00:00Z",
            "duration_minutes": 30, "title": "矩阵记录", "kind": "education", "participant_count": 3}),
        )
        .await
        .expect(201);
    f.extra.insert("session", session.id().parse().expect("uuid"));

    // Cases: worker_a1's, in the stage each row needs.
    let sup = app.token("sup_a1").await;
    let uuid = |r: crate::helpers::Res| -> Uuid { r.id().parse().expect("uuid") };
    let open = |client: Uuid| app.post("/api/v1/cases", &worker, case_body(client, town));
    let client = f.extra["client"];
    let act = |case: Uuid, token: String, body: Value| async move {
        let version = app.sql_i64(&format!("SELECT version::bigint FROM cases WHERE id = '{case}'")).await;
        let etag = format!("\"{version}\"");
        app.send(
            Method::POST,
            &format!("/api/v1/cases/{case}/transitions"),
            Some(&token),
            Some(&body),
            &[("If-Match", etag.as_str())],
        )
        .await
    };
    for name in ["case", "case_transfer", "case_intake_worker", "case_intake_supervisor", "case_intake_admin"] {
        f.extra.insert(name, uuid(open(client).await.expect(201)));
    }
    let assessment = json!({"sources": ["interview"], "needs": ["照料"], "risk_level": "yellow", "summary": "需要探访。"});
    let case = uuid(open(client).await.expect(201));
    act(case, worker.clone(), json!({"action": "start_assessment"})).await.expect(200);
    f.extra.insert("case_assessment", case);
    let case = uuid(open(client).await.expect(201));
    act(case, worker.clone(), json!({"action": "start_assessment"})).await.expect(200);
    app.post(&format!("/api/v1/cases/{case}/assessments"), &worker, assessment.clone()).await.expect(201);
    act(case, worker.clone(), json!({"action": "start_planning"})).await.expect(200);
    f.extra.insert("case_planning", case);
    // A plan under review for the decision row.
    let case = uuid(open(client).await.expect(201));
    act(case, worker.clone(), json!({"action": "start_assessment"})).await.expect(200);
    app.post(&format!("/api/v1/cases/{case}/assessments"), &worker, assessment).await.expect(201);
    act(case, worker.clone(), json!({"action": "start_planning"})).await.expect(200);
    let plan = json!({"overall_goal": "重建支持。", "goals": [{"description": "每周家访"}]});
    app.post(&format!("/api/v1/cases/{case}/plans"), &worker, plan).await.expect(201);
    f.extra.insert("review", uuid(act(case, worker.clone(), json!({"action": "submit_plan"})).await.expect(202)));
    f.extra.insert("review_case", case);
    // Evaluation and follow-up rows: a case in evaluation (its path there is tested elsewhere).
    let case = uuid(open(client).await.expect(201));
    app.sql(&format!("UPDATE cases SET status = 'evaluation' WHERE id = '{case}'")).await;
    f.extra.insert("case_evaluation", case);
    let fu = app.post(&format!("/api/v1/cases/{case}/follow-ups"), &worker, json!({"due_on": "2027-01-10"})).await.expect(201);
    f.extra.insert("follow_up", uuid(fu));
    for name in ["referral_worker", "referral_supervisor", "referral_admin"] {
        let body = json!({"direction": "out", "organization": "县民政局", "reason": "申请救助", "consent_given": true});
        f.extra.insert(
            name,
            uuid(app.post(&format!("/api/v1/cases/{}/referrals", f.extra["case"]), &worker, body).await.expect(201)),
        );
    }
    // Rosters: worker_a1's entries, one for each row that changes one for good.
    let entries = [
        "roster",
        "roster_leave_worker",
        "roster_leave_supervisor",
        "roster_leave_admin",
        "roster_rerate_worker",
        "roster_rerate_supervisor",
        "roster_rerate_admin",
        "roster_proposal_worker",
        "roster_proposal_supervisor",
        "roster_proposal_admin",
    ];
    let visit = |client: Uuid, extra: Value| {
        let mut body = json!({"method": "visit", "occurred_at": "2026-01-05T02:00:00Z", "duration_minutes": 30,
                              "client_ids": [client], "mode": "home_visit"});
        body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        body
    };
    for name in entries {
        let person = json!({"org_unit_id": town, "name": format!("台账{name}"), "id_type": "none"});
        let person = uuid(app.post("/api/v1/clients", &worker, person).await.expect(201));
        let entry = json!({"client_id": person, "programme": "basic_protection", "level": "green"});
        let entry = uuid(app.post("/api/v1/roster-entries", &worker, entry).await.expect(201));
        f.extra.insert(name, entry);
        if name.starts_with("roster_proposal") {
            let observed = json!({"levels_observed": [{"roster_entry_id": entry, "level": "blue"}]});
            app.post("/api/v1/sessions", &worker, visit(person, observed)).await.expect(201);
        }
    }
    let urgent = visit(client, json!({"action": "urgent_report", "findings": "屋顶漏雨，老人独居"}));
    let urgent = uuid(app.post("/api/v1/sessions", &worker, urgent).await.expect(201));
    let alert = app.db.query_text(&format!("SELECT id::text FROM supervisor_alerts WHERE session_id = '{urgent}'")).await;
    f.extra.insert("alert", alert.parse().expect("uuid"));
    // The unit's own intervals, so that the PUT row has a version to match.
    let intervals = json!({"red": 7, "yellow": 14, "blue": 30, "green": 90});
    app.send(
        Method::PUT,
        &format!("/api/v1/org-units/{town}/visit-intervals"),
        Some(&sup),
        Some(&intervals),
        &[("If-Match", "\"0\"")],
    )
    .await
    .expect(200);
    let record = json!({"occurred_at": "2026-01-05T02:00:00Z", "duration_minutes": 45, "format": "group", "function": "educational",
                        "supervisee_ids": [f.user("worker_a1")]});
    f.extra.insert("supervision", uuid(app.post("/api/v1/supervision-records", &sup, record).await.expect(201)));
}

async fn sign_in(app: &TestApp, username: &str) -> Session {
    let body = app.login_full(username, PASSWORD).await;
    Session {
        username: username.to_owned(),
        access: body["access_token"].as_str().expect("access").to_owned(),
        refresh: body["refresh_token"].as_str().expect("refresh").to_owned(),
    }
}

#[actix_web::test]
async fn every_role_gets_what_the_matrix_says() {
    let app = TestApp::spawn().await;
    let mut f = app.fixture().await;
    casework_records(&app, &mut f).await;
    let mut main = HashMap::new();
    for who in &CALLERS[1..] {
        main.insert(*who, sign_in(&app, who.username()).await);
    }

    let spec = crate::spec::SpecCheck::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for row in rows() {
        let method = Method::from_bytes(row.method.as_bytes()).expect("method");
        for (i, who) in CALLERS.into_iter().enumerate() {
            n += 1;
            let unique = format!("{n:03}");
            let session = match (who, row.uses) {
                (Who::Nobody, _) => Session::default(),
                (_, Uses::Main) => main[&who].clone(),
                (_, Uses::Fresh) => sign_in(&app, who.username()).await,
                (_, Uses::Disposable) => {
                    // Straight into the table with the fixture's hash: no hashing for a throwaway user.
                    let username = format!("matrix.{}{unique}", who.role());
                    app.sql(&format!(
                        "INSERT INTO users (id, username, display_name, org_unit_id, role, password_hash) \
                         SELECT '{}', '{username}', '临时用户', '{}', '{}', password_hash FROM users WHERE username = 'worker_a1'",
                        Uuid::now_v7(),
                        f.unit(who.unit()),
                        who.role()
                    ))
                    .await;
                    sign_in(&app, &username).await
                }
            };
            let call = (row.build)(&f, who, &session, &unique);
            let token = (call.bearer && who != Who::Nobody).then(|| session.access.clone());
            let etag = match call.if_match {
                Some((table, id)) => Some(app.etag_of(table, &id.to_string()).await),
                None => None,
            };
            let headers: Vec<(&str, &str)> = etag.iter().map(|e| ("If-Match", e.as_str())).collect();
            let before = app.sql_i64(FINGERPRINT).await;
            let res = app.send(method.clone(), &call.path, token.as_deref(), call.body.as_ref(), &headers).await;
            let expected = row.expect[i];
            if let Err(e) = spec.check(row.method, row.path, &res) {
                failures.push(format!("as {who:?}: {e}"));
            }
            if res.status.as_u16() != expected {
                failures.push(format!(
                    "{} {} as {who:?}: expected {expected}, got {} {}",
                    row.method,
                    row.path,
                    res.status.as_u16(),
                    res.text
                ));
                continue;
            }
            if matches!(expected, 401 | 403) {
                if res.header("content-type").as_deref() != Some("application/problem+json") {
                    failures.push(format!("{} {} as {who:?}: {expected} is not problem+json", row.method, row.path));
                }
                if app.sql_i64(FINGERPRINT).await != before {
                    failures.push(format!("{} {} as {who:?}: a refused request changed data", row.method, row.path));
                }
            }
            if expected == 403 {
                let denied = app
                    .sql_i64(&format!("SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND user_id = (SELECT id FROM users WHERE username = '{}')", session.username))
                    .await;
                if denied == 0 {
                    failures.push(format!("{} {} as {who:?}: the 403 left no audit event", row.method, row.path));
                }
            }
        }
    }
    assert!(failures.is_empty(), "role matrix mismatches:\n{}", failures.join("\n"));
}

/// The permission an operation needs (`None`: signing in, one's own account, the probes).
fn permission_of(method: &str, path: &str) -> Option<&'static str> {
    let read = method == "GET";
    let code = match path.trim_start_matches("/api/v1").split('/').nth(1).unwrap_or("") {
        "auth" | "me" | "livez" | "readyz" => return None,
        "reference" => "reference:read",
        "org-units" if path.ends_with("/visit-intervals") && read => "rosters:read",
        "org-units" if path.ends_with("/visit-intervals") => "visit_intervals:write",
        "org-units" if read => "org_units:read",
        "org-units" => "org_units:write",
        "users" if read => "users:read",
        "users" => "users:write",
        "clients" if read && path.ends_with("/access-log") => "audit:read",
        "clients" if read => "clients:read",
        "clients" if method == "DELETE" => "clients:delete",
        "clients" => "clients:write",
        "households" if read => "households:read",
        "households" => "households:write",
        "sessions" if read => "sessions:read",
        "sessions" => "sessions:write",
        "groups" if read => "groups:read",
        "groups" => "groups:write",
        "audit-events" => "audit:read",
        "caseload" => "caseload:read",
        "stats" => "stats:read",
        "cases" | "referrals" if read => "cases:read",
        "cases" if path == "/api/v1/cases" => "cases:create",
        "cases" if path.ends_with("/transfer") => "cases:transfer",
        "cases" | "referrals" => "cases:work_assigned",
        "reviews" if read => "reviews:read",
        "reviews" => "reviews:decide",
        "supervision-records" if read => "supervision:read",
        "supervision-records" => "supervision:write",
        "roster-entries" if read => "rosters:read",
        "roster-entries" => "rosters:write",
        "alerts" if read => "alerts:read",
        "alerts" => "alerts:acknowledge",
        "sync" if read => "sync:pull",
        // A sync batch needs only a signed-in user; each mutation needs what its endpoint needs.
        "sync" => return None,
        other => panic!("no permission known for {method} {path} ({other})"),
    };
    Some(code)
}

#[test]
fn the_permissions_me_shows_are_the_ones_the_matrix_enforces() {
    use shegong::domain::{enums::Role, permissions::permissions};
    let roles = [(1, Role::Worker), (2, Role::Supervisor), (3, Role::Admin)];
    let mut used = BTreeSet::new();
    for row in rows() {
        let Some(code) = permission_of(row.method, row.path) else { continue };
        used.insert(code);
        for (column, role) in roles {
            let allowed = (200..300).contains(&row.expect[column]);
            let listed = permissions(role).contains(&code);
            assert_eq!(
                allowed, listed,
                "{} {}: {role:?} gets {} but /me says {code} is {listed}",
                row.method, row.path, row.expect[column]
            );
        }
    }
    // Every permission /me can show is either checked here or one the case state machine or a
    // service checks beyond the route (assigning, working every case, reopening, voiding,
    // editing others' sessions).
    let beyond_routes =
        ["cases:assign", "cases:work_all", "cases:reopen", "cases:void", "sessions:edit_all", "rosters:manage_all"];
    for (_, role) in roles {
        for code in permissions(role) {
            assert!(used.contains(code) || beyond_routes.contains(&code), "{code} is shown but nothing enforces it");
        }
    }
}

#[actix_web::test]
async fn me_lists_the_permission_table_of_each_role() {
    use shegong::domain::{enums::Role, permissions::permissions};
    let app = TestApp::spawn().await;
    app.fixture().await;
    for (username, role) in [("worker_a1", Role::Worker), ("sup_a", Role::Supervisor), ("admin_a", Role::Admin)] {
        let token = app.token(username).await;
        let me = app.get("/api/v1/me", &token).await.expect(200);
        let shown: Vec<&str> = me.body["permissions"].as_array().expect("permissions").iter().filter_map(Value::as_str).collect();
        assert_eq!(shown, permissions(role), "{username}");
    }
}
