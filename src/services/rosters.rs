//! Rosters (台账): enrolment, changes, leaving and re-rating of roster entries, the visit
//! intervals units set, and the supervisors' alerts.
//!
//! - One active entry per client and programme; leaving keeps the row.
//! - The interval follows the level (as the nearest unit with settings sets it, else DOMAIN.md
//!   §3) unless one was set for the entry.
//! - The last visit and the due day come from the visits (`sessions::visit`), never a request.
//! - The responsible worker re-rates their own entries; supervisors any in scope. Red needs a
//!   reason and alerts the supervisors.

use chrono::Utc;
use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::Actor;
use crate::db::{
    models::{Alert, LevelEvent, NewRosterEntry, RosterEntry, RosterEntryChange},
    repo::{self, rosters::RosterFilter},
    Conn,
};
use crate::domain::enums::{AlertKind, AlertStatus, LevelChangeStatus, ProposalDecision, RiskLevel};
use crate::domain::fieldwork::{self, Intervals};
use crate::domain::permissions::{may, Permission};
use crate::dto::rosters::{
    AcknowledgeAlert, AlertOut, AlertQuery, CreateRosterEntry, DecideProposal, LeaveRoster, LevelChangeOut, RerateRosterEntry,
    RosterEntryOut, RosterQuery, RosterVisitOut, SetVisitIntervals, UpdateRosterEntry, VisitIntervalsOut,
};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

fn field(name: impl Into<String>, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(name, code, Text::owned(zh, en))
}

fn red_needs_reason(name: &str) -> FieldError {
    field(name, "reason_required", "评为红色须说明理由。", "A rating of red needs a reason.")
}

fn level_out(e: LevelEvent) -> LevelChangeOut {
    LevelChangeOut {
        id: e.id,
        from_level: e.from_level,
        to_level: e.to_level,
        reason: e.reason,
        status: e.status,
        session_id: e.session_id,
        proposed_by: e.proposed_by,
        proposed_at: e.proposed_at,
        decided_by: e.decided_by,
        decided_at: e.decided_at,
        decision_note: e.decision_note,
    }
}

fn entry_out(e: RosterEntry, client_name: String, worker_name: Option<String>) -> RosterEntryOut {
    RosterEntryOut {
        overdue: fieldwork::is_overdue(e.next_visit_due, super::today()),
        id: e.id,
        client_id: e.client_id,
        client_name,
        org_unit_id: e.org_unit_id,
        programme: e.programme,
        level: e.level,
        responsible_worker_id: e.responsible_worker_id,
        responsible_worker_name: worker_name,
        visit_interval_days: e.visit_interval_days,
        interval_fixed: e.interval_fixed,
        enrolled_on: e.enrolled_on,
        left_on: e.left_on,
        leave_reason: e.leave_reason,
        leave_note: e.leave_note,
        notes: e.notes,
        last_visit_at: e.last_visit_at,
        next_visit_due: e.next_visit_due,
        pending_proposal: None,
        level_history: Vec::new(),
        visits: Vec::new(),
        version: e.version,
        created_at: e.created_at,
    }
}

/// An entry with its names, history, pending proposal and latest visits.
async fn detail(conn: &mut Conn, e: RosterEntry) -> Result<RosterEntryOut, AppError> {
    let (client, worker) = repo::rosters::names(conn, e.client_id, e.responsible_worker_id).await?;
    let history = repo::rosters::level_history(conn, e.id).await?;
    let visits = repo::rosters::visits_of_entry(conn, e.id, 50).await?;
    let id = e.id;
    let mut out = entry_out(e, client, worker);
    out.pending_proposal =
        history.iter().find(|h| h.status == LevelChangeStatus::Proposed && h.roster_entry_id == id).cloned().map(level_out);
    out.level_history = history.into_iter().map(level_out).collect();
    out.visits = visits
        .into_iter()
        .map(|v| RosterVisitOut {
            session_id: v.session_id,
            occurred_at: v.occurred_at,
            mode: v.mode,
            level_observed: v.level_observed,
            action: v.action,
            recorded_by: v.recorded_by,
        })
        .collect();
    Ok(out)
}

/// The intervals in force for a unit (its own, the nearest ancestor's, or the defaults) and the
/// unit that set them.
async fn intervals_for(conn: &mut Conn, unit_id: Uuid) -> Result<(Intervals, Option<Uuid>, i32), AppError> {
    Ok(match repo::rosters::intervals_for_unit(conn, unit_id).await? {
        Some(u) => (Intervals { red: u.red, yellow: u.yellow, blue: u.blue, green: u.green }, Some(u.org_unit_id), u.version),
        None => (Intervals::defaults(), None, 0),
    })
}

/// May the caller change this entry: its responsible worker, or a supervisor.
fn may_change(actor: &Actor, entry: &RosterEntry) -> Result<(), AppError> {
    if may(actor.role, Permission::RostersManageAll)
        || (may(actor.role, Permission::RostersWrite) && entry.responsible_worker_id == actor.id)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(Text::new(
            "只有负责社工或督导可以修改该台账记录。",
            "Only the responsible worker or a supervisor may change this roster entry.",
        )))
    }
}

/// The entry a change is made to, locked: in scope (404), the caller's to change (403), at the
/// version the caller saw (412).
async fn lock_for_change(conn: &mut Conn, actor: &Actor, id: Uuid, expected_version: i32) -> Result<RosterEntry, AppError> {
    let current = repo::rosters::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    may_change(actor, &current)?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    Ok(current)
}

/// [`lock_for_change`], and the person still on the roster (409).
async fn lock_active(conn: &mut Conn, actor: &Actor, id: Uuid, expected_version: i32) -> Result<RosterEntry, AppError> {
    let current = lock_for_change(conn, actor, id, expected_version).await?;
    if current.left_on.is_some() {
        return Err(already_left());
    }
    Ok(current)
}

fn already_left() -> AppError {
    AppError::conflict("roster_entry_left", Text::new("该对象已退出台账。", "This person has left the roster."))
}

/// What raises an alert.
pub struct AlertCause {
    /// Why.
    pub kind: AlertKind,
    /// The unit whose supervisors see it.
    pub unit: Uuid,
    /// The visit, if one raised it.
    pub session_id: Option<Uuid>,
    /// The roster entry, for a red rating.
    pub entry_id: Option<Uuid>,
    /// The clients concerned.
    pub client_ids: Vec<Uuid>,
    /// What was found.
    pub summary: Option<String>,
}

/// Raises an alert on the supervisors' queue (inside the caller's transaction).
pub async fn raise_alert(conn: &mut Conn, actor: &Actor, cause: AlertCause) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let AlertCause { kind, unit, session_id, entry_id, client_ids, summary } = cause;
    let alert = Alert {
        id,
        org_unit_id: unit,
        kind,
        session_id,
        roster_entry_id: entry_id,
        client_ids,
        summary,
        raised_by: actor.id,
        raised_at: Utc::now(),
        status: AlertStatus::Open,
        acknowledged_by: None,
        acknowledged_at: None,
        note: None,
        version: 1,
    };
    repo::rosters::insert_alert(conn, &alert).await?;
    repo::audit::insert(
        conn,
        &super::audit::by(actor, "alert.raise", "alert", Some(id), json!({"kind": kind, "session_id": session_id})),
    )
    .await?;
    Ok(id)
}

/// Sets an entry's level inside the caller's transaction: the interval follows unless it was set
/// for the entry, a pending proposal of the same level is confirmed (any other is superseded),
/// the history records the change, and red alerts the supervisors.
pub async fn rerate_in(
    conn: &mut Conn,
    actor: &Actor,
    entry: &RosterEntry,
    to: RiskLevel,
    reason: Option<String>,
    session_id: Option<Uuid>,
) -> Result<RosterEntry, AppError> {
    let interval = if entry.interval_fixed {
        entry.visit_interval_days
    } else {
        intervals_for(conn, entry.org_unit_id).await?.0.for_level(to)
    };
    let pending = repo::rosters::pending_proposals(conn, &[entry.id]).await?;
    let confirms = pending.iter().any(|p| p.to_level == to);
    let status = if confirms { LevelChangeStatus::Confirmed } else { LevelChangeStatus::Superseded };
    repo::rosters::decide_proposal(conn, entry.id, status, actor.id, reason.as_deref()).await?;
    if !confirms {
        let event = LevelEvent {
            id: Uuid::now_v7(),
            roster_entry_id: entry.id,
            from_level: Some(entry.level),
            to_level: to,
            reason: reason.clone(),
            status: LevelChangeStatus::Confirmed,
            session_id,
            proposed_by: actor.id,
            proposed_at: Utc::now(),
            decided_by: Some(actor.id),
            decided_at: Some(Utc::now()),
            decision_note: None,
        };
        repo::rosters::insert_level_event(conn, &event).await?;
    }
    let change = RosterEntryChange { level: to, visit_interval_days: interval, ..change_of(entry) };
    let saved = repo::rosters::update(conn, entry.id, &change).await?;
    let details = json!({"from": entry.level, "to": to, "session_id": session_id});
    repo::audit::insert(conn, &super::audit::by(actor, "roster.rerate", "roster_entry", Some(entry.id), details)).await?;
    if to == RiskLevel::Red {
        let cause = AlertCause {
            kind: AlertKind::RedRating,
            unit: entry.org_unit_id,
            session_id,
            entry_id: Some(entry.id),
            client_ids: vec![entry.client_id],
            summary: reason,
        };
        raise_alert(conn, actor, cause).await?;
    }
    Ok(saved)
}

fn change_of(e: &RosterEntry) -> RosterEntryChange {
    RosterEntryChange {
        level: e.level,
        responsible_worker_id: e.responsible_worker_id,
        visit_interval_days: e.visit_interval_days,
        interval_fixed: e.interval_fixed,
        left_on: e.left_on,
        leave_reason: e.leave_reason,
        leave_note: e.leave_note.clone(),
        notes: e.notes.clone(),
    }
}

/// Records a level a visit observed on an entry, inside the visit's transaction: nothing when it
/// is the entry's level; red at once; anything else as a proposal (replacing a pending one).
pub async fn observe_in(
    conn: &mut Conn,
    actor: &Actor,
    entry: &RosterEntry,
    observed: RiskLevel,
    reason: Option<String>,
    session_id: Uuid,
) -> Result<(), AppError> {
    match fieldwork::observe(entry.level, observed) {
        fieldwork::Observation::Same => Ok(()),
        fieldwork::Observation::ConfirmedRed => {
            rerate_in(conn, actor, entry, observed, reason, Some(session_id)).await.map(|_| ())
        }
        fieldwork::Observation::Proposed => {
            repo::rosters::decide_proposal(conn, entry.id, LevelChangeStatus::Superseded, actor.id, None).await?;
            let event = LevelEvent {
                id: Uuid::now_v7(),
                roster_entry_id: entry.id,
                from_level: Some(entry.level),
                to_level: observed,
                reason,
                status: LevelChangeStatus::Proposed,
                session_id: Some(session_id),
                proposed_by: actor.id,
                proposed_at: Utc::now(),
                decided_by: None,
                decided_at: None,
                decision_note: None,
            };
            repo::rosters::insert_level_event(conn, &event).await?;
            Ok(())
        }
    }
}

/// Enrols a client in a programme.
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateRosterEntry) -> Result<Written, AppError> {
    super::require(state, actor, Permission::RostersWrite, "rosters.create").await?;
    if let Err(e) = may_assign(actor, &body) {
        super::audit::denied(state, actor, "rosters.assign").await;
        return Err(e);
    }
    let id = body.id;
    let result =
        tx::write(state, actor, "rosters.create", claim, move |conn| create_in(conn, actor, body).scope_boxed_local()).await;
    super::replay::audit_refusal(state, actor, "roster_entry", id, &result).await;
    result
}

/// Refuses an enrolment naming another responsible worker unless the caller manages rosters.
pub fn may_assign(actor: &Actor, body: &CreateRosterEntry) -> Result<(), AppError> {
    if !may(actor.role, Permission::RostersManageAll) && body.responsible_worker_id.is_some_and(|w| w != actor.id) {
        return Err(AppError::Forbidden(Text::new(
            "只有督导可以指定其他负责社工。",
            "Only a supervisor may make someone else responsible.",
        )));
    }
    Ok(())
}

/// Enrols a client inside the caller's transaction (permissions already checked).
pub async fn create_in(conn: &mut Conn, actor: &Actor, body: CreateRosterEntry) -> Result<Written, AppError> {
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    if repo::rosters::id_exists(conn, id).await? {
        // The same id twice is the same entry: the same data replays it, other data is a
        // conflict; outside the caller's scope the id is just taken.
        let e = repo::rosters::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
        let notes = body.notes.as_ref().map(|n| n.trim().to_owned());
        let mut diff = super::replay::Diff::new();
        diff.field("client_id", &body.client_id, &e.client_id)
            .given("org_unit_id", body.org_unit_id.as_ref(), &e.org_unit_id)
            .field("programme", &body.programme, &e.programme)
            .field("level", &body.level, &e.level)
            .field("responsible_worker_id", &body.responsible_worker_id.unwrap_or(actor.id), &e.responsible_worker_id)
            .given("visit_interval_days", body.visit_interval_days.as_ref(), &e.visit_interval_days)
            .given("enrolled_on", body.enrolled_on.as_ref(), &e.enrolled_on)
            .field("notes", &notes, &e.notes);
        let version = e.version;
        let current = detail(conn, e).await?;
        return super::replay::existing(conn, actor, "roster_entry", id, &diff, version, &current).await;
    }
    let mut errors = Vec::new();
    let today = super::today();
    let enrolled_on = body.enrolled_on.unwrap_or(today);
    if enrolled_on > today {
        errors.push(field("enrolled_on", "in_future", "入册日期不能晚于今天。", "Enrolment cannot be in the future."));
    }
    if fieldwork::reason_missing(body.level, body.level_reason.as_deref()) {
        errors.push(red_needs_reason("level_reason"));
    }
    let client = repo::clients::lock_in_scope(conn, &actor.scope, body.client_id).await?;
    let Some(client) = client else {
        errors.push(field("client_id", "not_found", "服务对象不存在或不在您的管辖范围内。", "No such client in your scope."));
        return Err(AppError::Validation(errors));
    };
    let unit_id = body.org_unit_id.unwrap_or(client.org_unit_id);
    let unit = repo::org_units::find_in_scope(conn, &actor.scope, unit_id).await?;
    if unit.is_none() {
        errors.push(field("org_unit_id", "not_found", "单位不存在或不在您的管辖范围内。", "No such unit in your scope."));
    }
    let worker_id = body.responsible_worker_id.unwrap_or(actor.id);
    let path = unit.as_ref().map(|u| u.path.as_str());
    if super::cases::check_assignee(conn, actor, worker_id, path).await?.is_none() {
        errors.push(super::cases::worker_not_assignable("responsible_worker_id"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if let Some(existing) = repo::rosters::active_entry(conn, client.id, body.programme).await? {
        let mut extra = serde_json::Map::new();
        extra.insert("roster_entry_id".into(), json!(existing));
        return Err(AppError::Conflict {
            code: "already_enrolled",
            detail: Text::new("该服务对象已在此项目的台账中。", "This client is already on this programme's roster."),
            extra,
        });
    }
    let interval = match body.visit_interval_days {
        Some(days) => days,
        None => intervals_for(conn, unit_id).await?.0.for_level(body.level),
    };
    let entry = repo::rosters::insert(
        conn,
        &NewRosterEntry {
            id,
            client_id: client.id,
            org_unit_id: unit_id,
            programme: body.programme,
            level: body.level,
            responsible_worker_id: worker_id,
            visit_interval_days: interval,
            interval_fixed: body.visit_interval_days.is_some(),
            enrolled_on,
            notes: body.notes.map(|n| n.trim().to_owned()),
            created_by: actor.id,
        },
    )
    .await?;
    let enrolment = LevelEvent {
        id: Uuid::now_v7(),
        roster_entry_id: id,
        from_level: None,
        to_level: body.level,
        reason: body.level_reason,
        status: LevelChangeStatus::Confirmed,
        session_id: None,
        proposed_by: actor.id,
        proposed_at: Utc::now(),
        decided_by: Some(actor.id),
        decided_at: Some(Utc::now()),
        decision_note: None,
    };
    repo::rosters::insert_level_event(conn, &enrolment).await?;
    let details = json!({"client_id": client.id, "programme": body.programme, "level": body.level});
    repo::audit::insert(conn, &super::audit::by(actor, "roster.create", "roster_entry", Some(id), details)).await?;
    if body.level == RiskLevel::Red {
        let cause = AlertCause {
            kind: AlertKind::RedRating,
            unit: unit_id,
            session_id: None,
            entry_id: Some(id),
            client_ids: vec![client.id],
            summary: enrolment.reason.clone(),
        };
        raise_alert(conn, actor, cause).await?;
    }
    let version = entry.version;
    Written::created(id, version, &detail(conn, entry).await?)
}

/// One entry in scope, with its level history and visits.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<RosterEntryOut, AppError> {
    super::require(state, actor, Permission::RostersRead, "rosters.read").await?;
    let mut conn = state.conn().await?;
    let e = repo::rosters::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    detail(&mut conn, e).await
}

/// A page of entries in scope: active ones most urgent first, or those that left.
pub async fn list(state: &AppState, actor: &Actor, query: RosterQuery, page: &Page) -> Result<Paged<RosterEntryOut>, AppError> {
    super::require(state, actor, Permission::RostersRead, "rosters.read").await?;
    let left = match query.status.as_deref() {
        None | Some("active") => false,
        Some("left") => true,
        Some(_) => {
            return Err(AppError::field(
                "status",
                "invalid",
                Text::new("status 只能为 active 或 left。", "status is `active` or `left`."),
            ))
        }
    };
    let responsible = match query.responsible.as_deref() {
        None => None,
        Some("me") => Some(actor.id),
        Some(other) => Some(other.parse::<Uuid>().map_err(|_| {
            AppError::field(
                "responsible",
                "invalid",
                Text::new("responsible 须为用户 id 或 me。", "responsible is a user id or `me`."),
            )
        })?),
    };
    if let Some(d) = query.due_before {
        if !crate::domain::dates::in_range(crate::domain::dates::DateKind::Planned, d, super::today()) {
            return Err(AppError::field("due_before", "out_of_range", Text::new("日期超出范围。", "The date is out of range.")));
        }
    }
    let after = page.after::<(chrono::NaiveDate, Uuid)>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let filter = RosterFilter {
        unit_path,
        programme: query.programme,
        level: query.level,
        responsible,
        client_id: query.client_id,
        due_before: query.due_before,
        overdue: query.overdue,
        left,
    };
    let rows = repo::rosters::list(&mut conn, &actor.scope, &filter, super::today(), after, page.fetch_limit()).await?;
    let key = move |r: &repo::rosters::RosterRow| {
        let day = if left { r.entry.left_on } else { r.entry.next_visit_due };
        (day.unwrap_or_default(), r.entry.id)
    };
    Ok(page.finish(rows, key).map(|r| entry_out(r.entry, r.client_name, r.worker_name)))
}

/// Changes an entry (If-Match): the responsible worker or a supervisor; only a supervisor hands
/// it to someone else.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateRosterEntry,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::RostersWrite, "rosters.update").await?;
    tx::write(state, actor, "rosters.update", None, move |conn| {
        update_in(conn, actor, id, expected_version, patch).scope_boxed_local()
    })
    .await
}

/// Changes an entry inside the caller's transaction (the role's permission already checked).
pub async fn update_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateRosterEntry,
) -> Result<Written, AppError> {
    let current = lock_active(conn, actor, id, expected_version).await?;
    let mut next = change_of(&current);
    if let Some(worker) = patch.responsible_worker_id.filter(|w| *w != current.responsible_worker_id) {
        if !may(actor.role, Permission::RostersManageAll) {
            return Err(AppError::Forbidden(Text::new(
                "只有督导可以更换负责社工。",
                "Only a supervisor may change who is responsible.",
            )));
        }
        let unit = repo::org_units::find(conn, current.org_unit_id).await?.ok_or(AppError::NotFound)?;
        if super::cases::check_assignee(conn, actor, worker, Some(&unit.path)).await?.is_none() {
            return Err(AppError::Validation(vec![super::cases::worker_not_assignable("responsible_worker_id")]));
        }
        next.responsible_worker_id = worker;
    }
    match patch.visit_interval_days {
        Some(Some(days)) => {
            next.visit_interval_days = days;
            next.interval_fixed = true;
        }
        Some(None) => {
            next.visit_interval_days = intervals_for(conn, current.org_unit_id).await?.0.for_level(current.level);
            next.interval_fixed = false;
        }
        None => {}
    }
    if let Some(notes) = patch.notes {
        next.notes = notes.map(|n| n.trim().to_owned());
    }
    let saved = repo::rosters::update(conn, id, &next).await?;
    let mut fields = Vec::new();
    if saved.responsible_worker_id != current.responsible_worker_id {
        fields.push("responsible_worker_id");
    }
    if saved.visit_interval_days != current.visit_interval_days || saved.interval_fixed != current.interval_fixed {
        fields.push("visit_interval_days");
    }
    if saved.notes != current.notes {
        fields.push("notes");
    }
    repo::audit::insert(conn, &super::audit::by(actor, "roster.update", "roster_entry", Some(id), json!({"fields": fields})))
        .await?;
    let version = saved.version;
    Written::changed(version, &detail(conn, saved).await?)
}

/// Takes a person off a roster (If-Match); the entry and its history stay.
pub async fn leave(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: LeaveRoster,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::RostersWrite, "rosters.leave").await?;
    tx::write(state, actor, "rosters.leave", None, move |conn| {
        async move {
            let current = lock_active(conn, actor, id, expected_version).await?;
            let today = super::today();
            let left_on = body.left_on.unwrap_or(today);
            if left_on < current.enrolled_on {
                return Err(AppError::field(
                    "left_on",
                    "before_enrolment",
                    Text::owned(
                        format!("退出日期不能早于入册日期（{}）。", current.enrolled_on),
                        format!("Leaving cannot be before enrolment ({}).", current.enrolled_on),
                    ),
                ));
            }
            if left_on > today {
                return Err(AppError::field(
                    "left_on",
                    "in_future",
                    Text::new("退出日期不能晚于今天。", "Leaving cannot be in the future."),
                ));
            }
            let change = RosterEntryChange {
                left_on: Some(left_on),
                leave_reason: Some(body.reason),
                leave_note: body.note.map(|n| n.trim().to_owned()),
                ..change_of(&current)
            };
            let saved = repo::rosters::update(conn, id, &change).await?;
            repo::rosters::decide_proposal(conn, id, LevelChangeStatus::Superseded, actor.id, None).await?;
            let details = json!({"reason": body.reason, "left_on": left_on});
            repo::audit::insert(conn, &super::audit::by(actor, "roster.leave", "roster_entry", Some(id), details)).await?;
            let version = saved.version;
            Written::changed(version, &detail(conn, saved).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// Re-rates an entry (If-Match).
pub async fn rerate(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: RerateRosterEntry,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::RostersWrite, "rosters.rerate").await?;
    if fieldwork::reason_missing(body.level, body.reason.as_deref()) {
        return Err(AppError::Validation(vec![red_needs_reason("reason")]));
    }
    tx::write(state, actor, "rosters.rerate", None, move |conn| {
        async move {
            let current = lock_active(conn, actor, id, expected_version).await?;
            if current.level == body.level {
                return Err(AppError::field(
                    "level",
                    "unchanged",
                    Text::new("新等级与当前等级相同。", "The entry is at this level already."),
                ));
            }
            let saved = rerate_in(conn, actor, &current, body.level, body.reason.map(|r| r.trim().to_owned()), None).await?;
            let version = saved.version;
            Written::changed(version, &detail(conn, saved).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// Confirms or rejects the re-rating a visit proposed (If-Match).
pub async fn decide_proposal(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: DecideProposal,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::RostersWrite, "rosters.proposal").await?;
    tx::write(state, actor, "rosters.proposal", None, move |conn| {
        async move {
            let current = lock_for_change(conn, actor, id, expected_version).await?;
            let Some(proposal) = repo::rosters::pending_proposals(conn, &[id]).await?.into_iter().next() else {
                return Err(AppError::conflict(
                    "no_pending_proposal",
                    Text::new("没有待确认的等级调整。", "There is no proposed re-rating to decide."),
                ));
            };
            let saved = match body.decision {
                ProposalDecision::Confirm => {
                    let reason = proposal.reason.clone().or(body.note.clone());
                    if fieldwork::reason_missing(proposal.to_level, reason.as_deref()) {
                        return Err(AppError::Validation(vec![red_needs_reason("note")]));
                    }
                    rerate_in(conn, actor, &current, proposal.to_level, reason, proposal.session_id).await?
                }
                ProposalDecision::Reject => {
                    repo::rosters::decide_proposal(conn, id, LevelChangeStatus::Rejected, actor.id, body.note.as_deref()).await?;
                    let details = json!({"proposed": proposal.to_level, "kept": current.level});
                    repo::audit::insert(
                        conn,
                        &super::audit::by(actor, "roster.proposal_rejected", "roster_entry", Some(id), details),
                    )
                    .await?;
                    // The decision is a change of the entry: its version moves.
                    repo::rosters::update(conn, id, &change_of(&current)).await?
                }
            };
            let version = saved.version;
            Written::changed(version, &detail(conn, saved).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// The visit intervals in force for a unit in scope.
pub async fn intervals(state: &AppState, actor: &Actor, unit_id: Uuid) -> Result<VisitIntervalsOut, AppError> {
    super::require(state, actor, Permission::RostersRead, "visit_intervals.read").await?;
    let mut conn = state.conn().await?;
    repo::org_units::find_in_scope(&mut conn, &actor.scope, unit_id).await?.ok_or(AppError::NotFound)?;
    let (i, by, _) = intervals_for(&mut conn, unit_id).await?;
    let version = repo::rosters::own_intervals(&mut conn, unit_id).await?.map(|o| o.version).unwrap_or(0);
    Ok(VisitIntervalsOut {
        org_unit_id: unit_id,
        set_by_unit_id: by,
        red: i.red,
        yellow: i.yellow,
        blue: i.blue,
        green: i.green,
        version,
        entries_changed: None,
    })
}

/// Sets a unit's own visit intervals (If-Match against the version of its own settings, `0`
/// before it has any) and applies them to the active entries under it that follow their level.
pub async fn set_intervals(
    state: &AppState,
    actor: &Actor,
    unit_id: Uuid,
    expected_version: i32,
    body: SetVisitIntervals,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::VisitIntervalsWrite, "visit_intervals.set").await?;
    let wanted = Intervals { red: body.red, yellow: body.yellow, blue: body.blue, green: body.green };
    if let Some(level) = wanted.out_of_order() {
        return Err(AppError::field(
            level,
            "out_of_order",
            Text::new("风险越高，走访间隔不能越长。", "A higher risk may not be visited less often than a lower one."),
        ));
    }
    tx::write(state, actor, "visit_intervals.set", None, move |conn| {
        async move {
            let unit = repo::org_units::find_in_scope(conn, &actor.scope, unit_id).await?.ok_or(AppError::NotFound)?;
            let version = repo::rosters::own_intervals(conn, unit_id).await?.map(|o| o.version).unwrap_or(0);
            if version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            let (saved, changed) = repo::rosters::set_intervals(conn, unit_id, &unit.path, &wanted, actor.id).await?;
            let details = json!({"red": wanted.red, "yellow": wanted.yellow, "blue": wanted.blue, "green": wanted.green, "entries_changed": changed});
            repo::audit::insert(conn, &super::audit::by(actor, "visit_intervals.set", "org_unit", Some(unit_id), details)).await?;
            let out = VisitIntervalsOut {
                org_unit_id: unit_id,
                set_by_unit_id: Some(unit_id),
                red: saved.red,
                yellow: saved.yellow,
                blue: saved.blue,
                green: saved.green,
                version: saved.version,
                entries_changed: Some(changed as i64),
            };
            Written::changed(saved.version, &out)
        }
        .scope_boxed_local()
    })
    .await
}

fn alert_out(a: Alert) -> AlertOut {
    AlertOut {
        id: a.id,
        org_unit_id: a.org_unit_id,
        kind: a.kind,
        session_id: a.session_id,
        roster_entry_id: a.roster_entry_id,
        client_ids: a.client_ids,
        summary: a.summary,
        raised_by: a.raised_by,
        raised_at: a.raised_at,
        status: a.status,
        acknowledged_by: a.acknowledged_by,
        acknowledged_at: a.acknowledged_at,
        note: a.note,
        version: a.version,
    }
}

/// The alerts in scope, oldest first.
pub async fn alerts(state: &AppState, actor: &Actor, query: AlertQuery, page: &Page) -> Result<Paged<AlertOut>, AppError> {
    super::require(state, actor, Permission::AlertsRead, "alerts.read").await?;
    let after = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let rows = repo::rosters::list_alerts(&mut conn, &actor.scope, query.status, unit_path, after, page.fetch_limit()).await?;
    let paged = page.finish(rows, |a| a.id);
    // An alert's summary is what a visit found.
    super::audit::narrative_read(&mut conn, actor, "alert", paged.items.iter().map(|a| a.id)).await?;
    Ok(paged.map(alert_out))
}

/// Acknowledges an alert (a supervisor): what was done about it.
pub async fn acknowledge(state: &AppState, actor: &Actor, id: Uuid, body: AcknowledgeAlert) -> Result<Written, AppError> {
    super::require(state, actor, Permission::AlertsAcknowledge, "alerts.acknowledge").await?;
    tx::write(state, actor, "alerts.acknowledge", None, move |conn| {
        async move {
            let alert = repo::rosters::lock_alert(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if alert.status != AlertStatus::Open {
                return Err(AppError::conflict(
                    "alert_acknowledged",
                    Text::new("该提醒已处理。", "This alert has been acknowledged already."),
                ));
            }
            let saved = repo::rosters::acknowledge_alert(conn, id, actor.id, body.note.as_deref().map(str::trim)).await?;
            repo::audit::insert(
                conn,
                &super::audit::by(actor, "alert.acknowledge", "alert", Some(id), json!({"kind": saved.kind})),
            )
            .await?;
            let version = saved.version;
            Written::changed(version, &alert_out(saved))
        }
        .scope_boxed_local()
    })
    .await
}

/// An entry in scope as its detail shows it.
pub async fn current_in(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<(i32, RosterEntryOut)>, AppError> {
    let Some(e) = repo::rosters::find_in_scope(conn, &actor.scope, id).await? else { return Ok(None) };
    let version = e.version;
    Ok(Some((version, detail(conn, e).await?)))
}
