//! Service sessions of all three methods, and groups.
//!
//! - A session is never in the future (five minutes of clock skew are forgiven) and one recorded
//!   more than 24 h after it happened is marked a late entry (补录).
//! - Each method is checked against its own anchor: an individual session against its case
//!   (status, assignment), a group session against its group (status, members), a community
//!   session against its unit.
//! - Edits need `If-Match`, cannot move a session to another anchor, and the audit log keeps
//!   which fields changed.

mod individual;
mod visit;

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use scoped_futures::ScopedFutureExt;
use serde_json::{json, Value};
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::Actor;
use crate::db::{
    models::{Attendance, Group, GroupData, Session},
    repo::{self, sessions::SessionFilter},
    Conn,
};
use crate::domain::enums::{GroupStatus, SessionMethod};
use crate::domain::permissions::{may, Permission};
use crate::dto::sessions::{
    AttendanceIn, AttendanceOut, CommunitySessionIn, CreateGroup, CreateSession, GroupMemberOut, GroupOut, GroupQuery,
    GroupSessionIn, GroupSessionSummary, SessionOut, SessionQuery, SetGroupMembers, UpdateGroup, UpdateSession, VisitOut,
};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

/// Sessions recorded later than this after they happened are late entries.
const LATE_AFTER_HOURS: i64 = 24;

fn field(name: impl Into<String>, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(name, code, Text::owned(zh, en))
}

fn check_time(occurred_at: DateTime<Utc>, errors: &mut Vec<FieldError>) -> bool {
    if occurred_at > Utc::now() + Duration::minutes(5) {
        errors.push(field("occurred_at", "in_future", "服务时间不能晚于现在。", "A session cannot be in the future."));
    }
    Utc::now() - occurred_at > Duration::hours(LATE_AFTER_HOURS)
}

fn no_repeats<T: std::hash::Hash + Eq + Copy>(name: &str, items: &[T], errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::new();
    if !items.iter().all(|i| seen.insert(*i)) {
        errors.push(field(name, "duplicate", "列表中有重复项。", "The list repeats an item."));
    }
}

fn yuan_to_fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

fn out(s: Session, attendance: Vec<Attendance>, visit: Option<VisitOut>) -> SessionOut {
    SessionOut {
        visit,
        id: s.id,
        method: s.method,
        org_unit_id: s.org_unit_id,
        occurred_at: s.occurred_at,
        duration_minutes: s.duration_minutes,
        location: s.location,
        service_types: s.service_types,
        summary: s.summary,
        late_entry: s.late_entry,
        recorded_by: s.recorded_by,
        case_id: s.case_id,
        client_id: s.client_id,
        mode: s.mode,
        goal_ids: s.goal_ids,
        client_response: s.client_response,
        next_steps: s.next_steps,
        risk_change: s.risk_change,
        group_id: s.group_id,
        session_no: s.session_no,
        theme: s.theme,
        attendance: attendance
            .into_iter()
            .map(|a| AttendanceOut { client_id: a.client_id, participant_name: a.participant_name, status: a.status })
            .collect(),
        title: s.title,
        kind: s.kind,
        participant_count: s.participant_count,
        volunteer_count: s.volunteer_count,
        volunteer_hours: s.volunteer_hours,
        partners: s.partners,
        resources_value_yuan: s.resources_value_fen.map(|f| f as f64 / 100.0),
        version: s.version,
        created_at: s.created_at,
    }
}

/// A session with only the common fields set; each method fills in its own.
fn blank(id: Uuid, method: SessionMethod, org_unit_id: Uuid, actor: &Actor, occurred_at: DateTime<Utc>, late: bool) -> Session {
    let now = Utc::now();
    Session {
        id,
        org_unit_id,
        method,
        occurred_at,
        duration_minutes: 0,
        location: None,
        service_types: Vec::new(),
        summary: None,
        late_entry: late,
        recorded_by: actor.id,
        case_id: None,
        client_id: None,
        mode: None,
        goal_ids: Vec::new(),
        client_response: None,
        next_steps: None,
        risk_change: None,
        group_id: None,
        session_no: None,
        theme: None,
        title: None,
        kind: None,
        participant_count: None,
        volunteer_count: None,
        volunteer_hours: None,
        partners: Vec::new(),
        resources_value_fen: None,
        version: 1,
        created_at: now,
        updated_at: now,
        client_ids: Vec::new(),
        households_reached: None,
    }
}

/// Checks attendance rows against the group's current members.
fn attendance_rows(
    session_id: Uuid,
    rows: &[AttendanceIn],
    members: &HashSet<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Vec<Attendance> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let f = format!("attendance[{i}]");
        match (row.client_id, &row.participant_name) {
            (Some(c), None) => {
                if !members.contains(&c) {
                    errors.push(field(
                        format!("{f}.client_id"),
                        "not_a_member",
                        "该服务对象不是本小组成员。",
                        "This client is not a member of the group.",
                    ));
                } else if !seen.insert(c) {
                    errors.push(field(
                        format!("{f}.client_id"),
                        "duplicate",
                        "同一成员重复出现。",
                        "This member is listed twice.",
                    ));
                }
            }
            (None, Some(_)) => {}
            _ => errors.push(field(
                f.clone(),
                "one_of",
                "请填写成员 client_id 或临时参与者姓名，二者选一。",
                "Give either a member's client_id or a walk-in's participant_name.",
            )),
        }
        out.push(Attendance {
            session_id,
            row_no: i as i32 + 1,
            client_id: row.client_id,
            participant_name: row.participant_name.as_ref().map(|n| n.trim().to_owned()),
            status: row.status,
        });
    }
    out
}

fn not_in_scope(name: &str) -> AppError {
    AppError::field(name, "not_found", Text::new("记录不存在或不在您的管辖范围内。", "No such record in your scope."))
}

async fn group_session(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    s: GroupSessionIn,
) -> Result<(Session, Vec<Attendance>), AppError> {
    let mut errors = Vec::new();
    let late = check_time(s.occurred_at, &mut errors);
    no_repeats("service_types", &s.service_types, &mut errors);
    let group = repo::sessions::lock_group(conn, &actor.scope, s.group_id).await?.ok_or_else(|| not_in_scope("group_id"))?;
    if !matches!(group.status, GroupStatus::Planning | GroupStatus::Running) {
        return Err(AppError::conflict(
            "group_closed",
            Text::new(
                "小组已结束或已取消，不能再记录活动。",
                "The group has ended or was cancelled; no more sessions can be recorded.",
            ),
        ));
    }
    let members: HashSet<Uuid> = repo::sessions::current_member_ids(conn, group.id).await?.into_iter().collect();
    let rows = attendance_rows(id, &s.attendance, &members, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let session_no = match s.session_no {
        Some(n) => n,
        None => repo::sessions::next_session_no(conn, group.id).await?,
    };
    let mut session = blank(id, SessionMethod::Group, group.org_unit_id, actor, s.occurred_at, late);
    session.duration_minutes = s.duration_minutes;
    session.location = s.location;
    session.service_types = s.service_types;
    session.summary = s.summary;
    session.group_id = Some(group.id);
    session.session_no = Some(session_no);
    session.theme = s.theme;
    Ok((session, rows))
}

async fn community_session(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    s: CommunitySessionIn,
) -> Result<(Session, Vec<Attendance>), AppError> {
    let mut errors = Vec::new();
    let late = check_time(s.occurred_at, &mut errors);
    no_repeats("service_types", &s.service_types, &mut errors);
    no_repeats("partners", &s.partners, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    repo::org_units::find_in_scope(conn, &actor.scope, s.org_unit_id).await?.ok_or_else(|| not_in_scope("org_unit_id"))?;
    let mut session = blank(id, SessionMethod::Community, s.org_unit_id, actor, s.occurred_at, late);
    session.duration_minutes = s.duration_minutes;
    session.location = s.location;
    session.service_types = s.service_types;
    session.summary = s.summary;
    session.title = Some(s.title.trim().to_owned());
    session.kind = Some(s.kind);
    session.participant_count = Some(s.participant_count);
    session.volunteer_count = Some(s.volunteer_count);
    session.volunteer_hours = Some(s.volunteer_hours);
    session.partners = s.partners;
    session.resources_value_fen = Some(yuan_to_fen(s.resources_value_yuan));
    Ok((session, Vec::new()))
}

fn body_id(body: &CreateSession) -> Option<Uuid> {
    match body {
        CreateSession::Individual(s) => s.id,
        CreateSession::Group(s) => s.id,
        CreateSession::Community(s) => s.id,
        CreateSession::Visit(s) => s.id,
    }
}

/// Records a session.
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateSession) -> Result<Written, AppError> {
    super::require(state, actor, Permission::SessionsWrite, "sessions.create").await?;
    let id = body_id(&body);
    let result =
        tx::write(state, actor, "sessions.create", claim, move |conn| create_in(conn, actor, body).scope_boxed_local()).await;
    super::replay::audit_refusal(state, actor, "session", id, &result).await;
    result
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| t.trim().to_owned())
}

/// The fields a create sets that differ from a stored session (what the server derives, such as
/// a late entry or the households reached, is not the create's).
fn create_diff(body: &CreateSession, s: &Session, rows: &[Attendance], visit: Option<&VisitOut>) -> super::replay::Diff {
    let mut diff = super::replay::Diff::new();
    let (method, occurred_at, duration, location, service_types, summary) = match body {
        CreateSession::Individual(b) => {
            (SessionMethod::Individual, b.occurred_at, b.duration_minutes, &b.location, &b.service_types, &b.summary)
        }
        CreateSession::Group(b) => {
            (SessionMethod::Group, b.occurred_at, b.duration_minutes, &b.location, &b.service_types, &b.summary)
        }
        CreateSession::Community(b) => {
            (SessionMethod::Community, b.occurred_at, b.duration_minutes, &b.location, &b.service_types, &b.summary)
        }
        CreateSession::Visit(b) => {
            (SessionMethod::Visit, b.occurred_at, b.duration_minutes, &b.location, &b.service_types, &b.summary)
        }
    };
    diff.field("method", &method, &s.method)
        .field("occurred_at", &occurred_at.timestamp_micros(), &s.occurred_at.timestamp_micros())
        .field("duration_minutes", &duration, &s.duration_minutes)
        .field("location", location, &s.location)
        .field("service_types", service_types, &s.service_types)
        .field("summary", summary, &s.summary);
    match body {
        CreateSession::Individual(b) => {
            diff.field("case_id", &Some(b.case_id), &s.case_id)
                .field("mode", &Some(b.mode), &s.mode)
                .field("goal_ids", &b.goal_ids, &s.goal_ids)
                .field("client_response", &b.client_response, &s.client_response)
                .field("next_steps", &b.next_steps, &s.next_steps);
        }
        CreateSession::Group(b) => {
            let attendance: Vec<_> = b.attendance.iter().map(|a| (a.client_id, trimmed(&a.participant_name), a.status)).collect();
            let stored: Vec<_> = rows.iter().map(|a| (a.client_id, a.participant_name.clone(), a.status)).collect();
            diff.field("group_id", &Some(b.group_id), &s.group_id)
                .given("session_no", b.session_no.map(Some).as_ref(), &s.session_no)
                .field("theme", &b.theme, &s.theme)
                .field("attendance", &attendance, &stored);
        }
        CreateSession::Community(b) => {
            diff.field("org_unit_id", &b.org_unit_id, &s.org_unit_id)
                .field("title", &Some(b.title.trim().to_owned()), &s.title)
                .field("kind", &Some(b.kind), &s.kind)
                .field("participant_count", &Some(b.participant_count), &s.participant_count)
                .field("volunteer_count", &Some(b.volunteer_count), &s.volunteer_count)
                .field("volunteer_hours", &Some(b.volunteer_hours), &s.volunteer_hours)
                .field("partners", &b.partners, &s.partners)
                .field("resources_value_yuan", &Some(yuan_to_fen(b.resources_value_yuan)), &s.resources_value_fen);
        }
        CreateSession::Visit(b) => {
            diff.given("org_unit_id", b.org_unit_id.as_ref(), &s.org_unit_id).field("client_ids", &b.client_ids, &s.client_ids);
            if let Some(v) = visit {
                diff.field("household_id", &b.household_id, &v.household_id)
                    .field("mode", &b.mode, &v.mode)
                    .field("findings", &trimmed(&b.findings), &v.findings)
                    .field("needs_found", &b.needs_found, &v.needs_found)
                    .field("action", &b.action, &v.action);
            }
        }
    }
    diff
}

/// Records a session inside the caller's transaction (permission already checked).
pub async fn create_in(conn: &mut Conn, actor: &Actor, body: CreateSession) -> Result<Written, AppError> {
    let id = body_id(&body).unwrap_or_else(Uuid::now_v7);
    if repo::sessions::id_exists(conn, id).await? {
        // The same id twice is the same session: the same data replays it, other data is a
        // conflict; outside the caller's scope the id is just taken.
        let existing = repo::sessions::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
        let rows = repo::sessions::attendance(conn, id).await?;
        let visit = visit_detail(conn, &existing).await?;
        let diff = create_diff(&body, &existing, &rows, visit.as_ref());
        let version = existing.version;
        let current = out(existing, rows, visit);
        return super::replay::existing(conn, actor, "session", id, &diff, version, &current).await;
    }
    let (session, rows, visit) = match body {
        CreateSession::Individual(s) => {
            let (session, rows) = individual::individual_session(conn, actor, id, s).await?;
            (session, rows, None)
        }
        CreateSession::Group(s) => {
            let (session, rows) = group_session(conn, actor, id, s).await?;
            (session, rows, None)
        }
        CreateSession::Community(s) => {
            let (session, rows) = community_session(conn, actor, id, s).await?;
            (session, rows, None)
        }
        CreateSession::Visit(s) => {
            let (session, rows, prepared) = visit::prepare(conn, actor, id, *s).await?;
            (session, rows, Some(prepared))
        }
    };
    let saved = repo::sessions::insert(conn, &session, &rows).await?;
    if saved.method == SessionMethod::Individual {
        individual::after_individual_session(conn, actor, &saved).await?;
    }
    if let Some(prepared) = visit {
        visit::record(conn, actor, &saved, prepared).await?;
    }
    let details = json!({"method": saved.method, "case_id": saved.case_id, "group_id": saved.group_id, "client_ids": saved.client_ids, "late_entry": saved.late_entry});
    repo::audit::insert(conn, &super::audit::by(actor, "session.create", "session", Some(id), details)).await?;
    let visit = visit_detail(conn, &saved).await?;
    let version = saved.version;
    Written::created(id, version, &out(saved, rows, visit))
}

/// The visit part of a session's detail (`None` for other methods).
async fn visit_detail(conn: &mut Conn, s: &Session) -> Result<Option<VisitOut>, AppError> {
    if s.method != SessionMethod::Visit {
        return Ok(None);
    }
    let Some(v) = repo::rosters::visits_of_sessions(conn, &[s.id]).await?.into_iter().next() else { return Ok(None) };
    let entries = repo::rosters::entries_of_visit(conn, s.id).await?;
    Ok(Some(visit::visit_out(s, v, entries)))
}

/// One session in scope, with attendance.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<SessionOut, AppError> {
    let mut conn = state.conn().await?;
    let s = repo::sessions::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    let rows = repo::sessions::attendance(&mut conn, id).await?;
    let visit = visit_detail(&mut conn, &s).await?;
    super::audit::narrative_read(&mut conn, actor, "session", [id]).await?;
    Ok(out(s, rows, visit))
}

/// A page of sessions in scope, newest first.
pub async fn list(state: &AppState, actor: &Actor, query: SessionQuery, page: &Page) -> Result<Paged<SessionOut>, AppError> {
    let before = page.after::<(DateTime<Utc>, Uuid)>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let filter = SessionFilter {
        method: query.method,
        case_id: query.case_id,
        group_id: query.group_id,
        unit_path,
        recorded_by: query.recorded_by,
        from: query.from,
        to: query.to,
    };
    let rows = repo::sessions::list(&mut conn, &actor.scope, &filter, before, page.fetch_limit()).await?;
    let page = page.finish(rows, |s| (s.occurred_at, s.id));
    let mut visits = visit::visits_of(&mut conn, &page.items).await?;
    super::audit::narrative_read(&mut conn, actor, "session", page.items.iter().map(|s| s.id)).await?;
    Ok(page.map(|s| {
        let v = visits.remove(&s.id).map(|v| visit::visit_out(&s, v, Vec::new()));
        out(s, Vec::new(), v)
    }))
}

fn wrong_method(name: &str) -> FieldError {
    field(name, "not_for_method", "该字段不适用于此类服务记录。", "This field does not apply to this session's method.")
}

/// Edits a session (If-Match). The recorder or a supervisor may edit.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateSession,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::SessionsWrite, "sessions.update").await?;
    tx::write(state, actor, "sessions.update", None, move |conn| {
        update_in(conn, actor, id, expected_version, patch).scope_boxed_local()
    })
    .await
}

/// Changes a session inside the caller's transaction (the role's permission already checked).
pub async fn update_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateSession,
) -> Result<Written, AppError> {
    let current = repo::sessions::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    if current.recorded_by != actor.id && !may(actor.role, Permission::SessionsEditAll) {
        return Err(AppError::Forbidden(Text::new(
            "只有记录人或督导可以修改服务记录。",
            "Only the recorder or a supervisor may edit a session.",
        )));
    }
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    let mut errors = Vec::new();
    let method = current.method;
    let individual = [
        ("mode", patch.mode.is_some()),
        ("client_response", patch.client_response.is_some()),
        ("next_steps", patch.next_steps.is_some()),
    ];
    let group = [("theme", patch.theme.is_some()), ("attendance", patch.attendance.is_some())];
    let community = [
        ("title", patch.title.is_some()),
        ("participant_count", patch.participant_count.is_some()),
        ("volunteer_count", patch.volunteer_count.is_some()),
        ("volunteer_hours", patch.volunteer_hours.is_some()),
        ("partners", patch.partners.is_some()),
        ("resources_value_yuan", patch.resources_value_yuan.is_some()),
    ];
    for (m, fields) in [
        (SessionMethod::Individual, &individual[..]),
        (SessionMethod::Group, &group[..]),
        (SessionMethod::Community, &community[..]),
    ] {
        if m != method {
            errors.extend(fields.iter().filter(|(_, set)| *set).map(|(name, _)| wrong_method(name)));
        }
    }
    let mut next = current.clone();
    if let Some(at) = patch.occurred_at {
        next.late_entry = check_time(at, &mut errors) || current.late_entry;
        next.occurred_at = at;
    }
    if let Some(types) = patch.service_types {
        no_repeats("service_types", &types, &mut errors);
        next.service_types = types;
    }
    if let Some(p) = &patch.partners {
        no_repeats("partners", p, &mut errors);
    }
    let mut rows = None;
    if let (SessionMethod::Group, Some(att), Some(group_id)) = (method, &patch.attendance, current.group_id) {
        let members: HashSet<Uuid> = repo::sessions::current_member_ids(conn, group_id).await?.into_iter().collect();
        let old: HashSet<Uuid> = repo::sessions::attendance(conn, id).await?.into_iter().filter_map(|a| a.client_id).collect();
        // Members who have since left may stay on the list of a past session.
        let allowed: HashSet<Uuid> = members.union(&old).copied().collect();
        rows = Some(attendance_rows(id, att, &allowed, &mut errors));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    next.duration_minutes = patch.duration_minutes.unwrap_or(next.duration_minutes);
    if let Some(v) = patch.location {
        next.location = v;
    }
    if let Some(v) = patch.summary {
        next.summary = v;
    }
    if let Some(v) = patch.mode {
        next.mode = Some(v);
    }
    if let Some(v) = patch.client_response {
        next.client_response = v;
    }
    if let Some(v) = patch.next_steps {
        next.next_steps = v;
    }
    if let Some(v) = patch.theme {
        next.theme = v;
    }
    if let Some(v) = patch.title {
        next.title = Some(v.trim().to_owned());
    }
    if let Some(v) = patch.participant_count {
        next.participant_count = Some(v);
    }
    if let Some(v) = patch.volunteer_count {
        next.volunteer_count = Some(v);
    }
    if let Some(v) = patch.volunteer_hours {
        next.volunteer_hours = Some(v);
    }
    if let Some(v) = patch.partners {
        next.partners = v;
    }
    if let Some(v) = patch.resources_value_yuan {
        next.resources_value_fen = Some(yuan_to_fen(v));
    }
    let saved = repo::sessions::update(conn, &next).await?;
    if let Some(rows) = &rows {
        repo::sessions::replace_attendance(conn, id, rows).await?;
    }
    if saved.method == SessionMethod::Visit && saved.occurred_at != current.occurred_at {
        repo::rosters::revisit(conn, id, saved.occurred_at).await?;
    }
    let details = json!({"fields": changed(&current, &saved, rows.is_some())});
    repo::audit::insert(conn, &super::audit::by(actor, "session.update", "session", Some(id), details)).await?;
    let attendance = repo::sessions::attendance(conn, id).await?;
    let visit = visit_detail(conn, &saved).await?;
    let version = saved.version;
    Written::changed(version, &out(saved, attendance, visit))
}

/// Names of the fields an edit changed, with their old values (sessions hold no identity
/// numbers, so the old narrative may be kept for the record).
fn changed(before: &Session, after: &Session, attendance: bool) -> Value {
    let mut out = serde_json::Map::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if before.$f != after.$f { out.insert(stringify!($f).into(), json!({"from": before.$f, "to": after.$f})); } )* };
    }
    cmp!(
        occurred_at,
        duration_minutes,
        location,
        service_types,
        summary,
        mode,
        client_response,
        next_steps,
        theme,
        title,
        participant_count,
        volunteer_count,
        volunteer_hours,
        partners,
        resources_value_fen
    );
    if attendance {
        out.insert("attendance".into(), json!("replaced"));
    }
    Value::Object(out)
}

async fn group_out(conn: &mut Conn, g: Group, full: bool) -> Result<GroupOut, AppError> {
    let (members, sessions, rate, person_times) = if full {
        let members = repo::sessions::group_members(conn, g.id)
            .await?
            .into_iter()
            .map(|m| GroupMemberOut {
                client_id: m.client_id,
                name: m.name,
                joined_on: m.joined_on,
                left_on: m.left_on,
                exit_reason: m.exit_reason,
            })
            .collect();
        let figures = repo::sessions::group_session_figures(conn, g.id).await?;
        let listed: i64 = figures.iter().map(|f| f.members_listed).sum();
        let attended: i64 = figures.iter().map(|f| f.members_attended).sum();
        let person_times: i64 = figures.iter().map(|f| f.attended).sum();
        let sessions = figures
            .into_iter()
            .map(|f| GroupSessionSummary {
                id: f.id,
                session_no: f.session_no,
                occurred_at: f.occurred_at,
                theme: f.theme,
                attended: f.attended,
                members_listed: f.members_listed,
                members_attended: f.members_attended,
                attendance_rate: ratio(f.members_attended, f.members_listed),
            })
            .collect();
        (members, sessions, Some(ratio(attended, listed)), Some(person_times))
    } else {
        (Vec::new(), Vec::new(), None, None)
    };
    Ok(GroupOut {
        id: g.id,
        org_unit_id: g.org_unit_id,
        name: g.name,
        group_type: g.group_type,
        goals: g.goals,
        target_categories: g.target_categories,
        planned_sessions: g.planned_sessions,
        leader_ids: g.leader_ids,
        status: g.status,
        version: g.version,
        created_at: g.created_at,
        members,
        sessions,
        attendance_rate: rate,
        person_times,
    })
}

/// A share rounded to four decimals (0 when there is nothing to divide by).
fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0
    }
}

async fn check_leaders(conn: &mut Conn, actor: &Actor, leaders: &[Uuid]) -> Result<(), AppError> {
    let mut errors = Vec::new();
    no_repeats("leader_ids", leaders, &mut errors);
    for (i, l) in leaders.iter().enumerate() {
        if repo::users::find_in_scope(conn, &actor.scope, *l).await?.is_none() {
            errors.push(field(
                format!("leader_ids[{i}]"),
                "not_found",
                "用户不存在或不在您的管辖范围内。",
                "No such user in your scope.",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Creates a group.
pub async fn create_group(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateGroup) -> Result<Written, AppError> {
    super::require(state, actor, Permission::GroupsWrite, "groups.create").await?;
    let id = body.id;
    let result = tx::write(state, actor, "groups.create", claim, move |conn| {
        async move {
            let id = body.id.unwrap_or_else(Uuid::now_v7);
            if repo::sessions::group_id_exists(conn, id).await? {
                // The same id twice is the same group: the same data replays it, other data is
                // a conflict; outside the caller's scope the id is just taken.
                let g = repo::sessions::find_group(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
                let leaders = if body.leader_ids.is_empty() { vec![actor.id] } else { body.leader_ids.clone() };
                let mut diff = super::replay::Diff::new();
                diff.field("org_unit_id", &body.org_unit_id, &g.org_unit_id)
                    .field("name", body.name.trim(), g.name.as_str())
                    .field("group_type", &body.group_type, &g.group_type)
                    .field("goals", &body.goals, &g.goals)
                    .field("target_categories", &body.target_categories, &g.target_categories)
                    .field("planned_sessions", &body.planned_sessions, &g.planned_sessions)
                    .field("leader_ids", &leaders, &g.leader_ids);
                let version = g.version;
                let current = group_out(conn, g, true).await?;
                return super::replay::existing(conn, actor, "group", id, &diff, version, &current).await;
            }
            repo::org_units::find_in_scope(conn, &actor.scope, body.org_unit_id)
                .await?
                .ok_or_else(|| not_in_scope("org_unit_id"))?;
            let leaders = if body.leader_ids.is_empty() { vec![actor.id] } else { body.leader_ids };
            check_leaders(conn, actor, &leaders).await?;
            let data = GroupData {
                name: body.name.trim().to_owned(),
                group_type: body.group_type,
                goals: body.goals,
                target_categories: body.target_categories,
                planned_sessions: body.planned_sessions,
                leader_ids: leaders,
                status: GroupStatus::Planning,
            };
            let g = repo::sessions::insert_group(conn, id, body.org_unit_id, actor.id, &data).await?;
            repo::audit::insert(conn, &super::audit::by(actor, "group.create", "group", Some(id), json!({}))).await?;
            let version = g.version;
            Written::created(id, version, &group_out(conn, g, true).await?)
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "group", id, &result).await;
    result
}

/// One group with members, sessions and attendance figures.
pub async fn get_group(state: &AppState, actor: &Actor, id: Uuid) -> Result<GroupOut, AppError> {
    let mut conn = state.conn().await?;
    let g = repo::sessions::find_group(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    group_out(&mut conn, g, true).await
}

/// A page of groups in scope.
pub async fn list_groups(state: &AppState, actor: &Actor, query: GroupQuery, page: &Page) -> Result<Paged<GroupOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let rows = repo::sessions::list_groups(&mut conn, &actor.scope, query.status, unit_path, before, page.fetch_limit()).await?;
    let page = page.finish(rows, |g| g.id);
    let mut items = Vec::with_capacity(page.items.len());
    for g in page.items {
        items.push(group_out(&mut conn, g, false).await?);
    }
    Ok(Paged { items, next_cursor: page.next_cursor })
}

fn status_allowed(from: GroupStatus, to: GroupStatus) -> bool {
    use GroupStatus::*;
    from == to || matches!((from, to), (Planning, Running) | (Running, Ended) | (Planning, Cancelled) | (Running, Cancelled))
}

/// Changes a group (If-Match).
pub async fn update_group(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateGroup,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::GroupsWrite, "groups.update").await?;
    tx::write(state, actor, "groups.update", None, move |conn| {
        async move {
            let g = repo::sessions::lock_group(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if g.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            if let Some(to) = patch.status {
                if !status_allowed(g.status, to) {
                    return Err(AppError::conflict(
                        "status_not_allowed",
                        Text::owned(
                            format!("小组状态不能从 {} 变为 {}。", g.status, to),
                            format!("A group cannot go from {} to {}.", g.status, to),
                        ),
                    ));
                }
            }
            if let Some(leaders) = &patch.leader_ids {
                check_leaders(conn, actor, leaders).await?;
            }
            let data = GroupData {
                name: patch.name.map(|n| n.trim().to_owned()).unwrap_or(g.name.clone()),
                group_type: patch.group_type.unwrap_or(g.group_type),
                goals: patch.goals.unwrap_or(g.goals.clone()),
                target_categories: patch.target_categories.unwrap_or(g.target_categories.clone()),
                planned_sessions: patch.planned_sessions.unwrap_or(g.planned_sessions),
                leader_ids: patch.leader_ids.unwrap_or(g.leader_ids.clone()),
                status: patch.status.unwrap_or(g.status),
            };
            let saved = repo::sessions::update_group(conn, id, &data).await?;
            repo::audit::insert(
                conn,
                &super::audit::by(actor, "group.update", "group", Some(id), json!({"status": saved.status})),
            )
            .await?;
            let version = saved.version;
            Written::changed(version, &group_out(conn, saved, true).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// Sets the current members of a group: those not listed leave today, new ones join today.
pub async fn set_group_members(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: SetGroupMembers,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::GroupsWrite, "groups.members").await?;
    tx::write(state, actor, "groups.members", None, move |conn| {
        async move {
            let g = repo::sessions::lock_group(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            // A phone replaying a stale list must not end memberships made since it read one.
            if g.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            let mut errors = Vec::new();
            let mut wanted = Vec::new();
            let mut seen = HashSet::new();
            for (i, m) in body.members.iter().enumerate() {
                let f = format!("members[{i}].client_id");
                if !seen.insert(m.client_id) {
                    errors.push(field(f, "duplicate", "同一服务对象重复出现。", "This client is listed twice."));
                } else if repo::clients::find_in_scope(conn, &actor.scope, m.client_id).await?.is_none() {
                    errors.push(field(f, "not_found", "服务对象不存在或不在您的管辖范围内。", "No such client in your scope."));
                } else {
                    wanted.push(m.client_id);
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let current: HashSet<Uuid> = repo::sessions::current_member_ids(conn, id).await?.into_iter().collect();
            let wanted_set: HashSet<Uuid> = wanted.iter().copied().collect();
            let leaving: Vec<Uuid> = current.difference(&wanted_set).copied().collect();
            let joining: Vec<Uuid> = wanted.iter().filter(|c| !current.contains(c)).copied().collect();
            repo::sessions::change_members(conn, id, &leaving, &joining, super::today(), body.exit_reason.as_deref()).await?;
            let details = json!({"joined": joining.len(), "left": leaving.len()});
            repo::audit::insert(conn, &super::audit::by(actor, "group.members", "group", Some(id), details)).await?;
            let fresh = repo::sessions::find_group(conn, &actor.scope, g.id).await?.ok_or(AppError::NotFound)?;
            let version = fresh.version;
            Written::changed(version, &group_out(conn, fresh, true).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// A session in scope as its detail shows it.
pub async fn current_in(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<(i32, SessionOut)>, AppError> {
    let Some(s) = repo::sessions::find_in_scope(conn, &actor.scope, id).await? else { return Ok(None) };
    let rows = repo::sessions::attendance(conn, id).await?;
    let visit = visit_detail(conn, &s).await?;
    let version = s.version;
    Ok(Some((version, out(s, rows, visit))))
}
