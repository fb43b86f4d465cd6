//! Visits (走访): sessions of method `visit` that see one or more clients and/or their household
//! outside any case. A visit satisfies the active roster entries of the clients it saw (their
//! last visit moves, so their due day does), records a level observed per entry (red at once,
//! anything else proposed), and its action happens in the same transaction: `open_case` opens an
//! intake case (source `outreach`), `refer` makes an outgoing referral, `urgent_report` puts it
//! on the supervisors' queue.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::{
    models::{Attendance, NewCaseEvent, NewReferral, RosterEntry, Session, Visit, VisitEntry},
    repo, Conn,
};
use crate::domain::enums::{AlertKind, CaseSource, ReferralDirection, RiskLevel, SessionMethod, VisitAction};
use crate::domain::fieldwork;
use crate::domain::phone::normalize_phone;
use crate::dto::cases::CreateCase;
use crate::dto::sessions::{VisitCaseIn, VisitEntryOut, VisitOut, VisitReferralIn, VisitSessionIn};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;

use super::{blank, check_time, field, no_repeats};

/// What a checked visit still has to do once its session row exists.
pub struct Prepared {
    visit: Visit,
    entries: Vec<RosterEntry>,
    observed: HashMap<Uuid, (RiskLevel, Option<String>)>,
    case: Option<VisitCaseIn>,
    referral: Option<VisitReferralIn>,
}

fn not_visited(name: &str) -> FieldError {
    field(name, "not_visited", "须为本次走访的服务对象之一。", "Must be one of the clients visited.")
}

fn not_for_action(name: &str) -> FieldError {
    field(name, "not_for_action", "该字段不适用于所选的后续行动。", "This field does not apply to the chosen action.")
}

/// Checks a visit and builds its session.
pub async fn prepare(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    s: VisitSessionIn,
) -> Result<(Session, Vec<Attendance>, Prepared), AppError> {
    let mut errors = Vec::new();
    let late = check_time(s.occurred_at, &mut errors);
    no_repeats("service_types", &s.service_types, &mut errors);
    no_repeats("client_ids", &s.client_ids, &mut errors);
    no_repeats("needs_found", &s.needs_found, &mut errors);
    let homes = repo::clients::homes_in_scope(conn, &actor.scope, &s.client_ids).await?;
    let known: HashMap<Uuid, (Uuid, Option<Uuid>)> = homes.iter().map(|(c, u, h)| (*c, (*u, *h))).collect();
    for (i, c) in s.client_ids.iter().enumerate() {
        if !known.contains_key(c) {
            errors.push(field(
                format!("client_ids[{i}]"),
                "not_found",
                "服务对象不存在或不在您的管辖范围内。",
                "No such client in your scope.",
            ));
        }
    }
    if let Some(h) = s.household_id {
        if repo::clients::find_household(conn, &actor.scope, h).await?.is_none() {
            errors.push(field(
                "household_id",
                "not_found",
                "家庭不存在或不在您的管辖范围内。",
                "No such household in your scope.",
            ));
        }
    }
    let unit_id = s.org_unit_id.or_else(|| s.client_ids.first().and_then(|c| known.get(c)).map(|(u, _)| *u));
    if let Some(u) = s.org_unit_id {
        if repo::org_units::find_in_scope(conn, &actor.scope, u).await?.is_none() {
            errors.push(field("org_unit_id", "not_found", "单位不存在或不在您的管辖范围内。", "No such unit in your scope."));
        }
    }
    let visited: HashSet<Uuid> = s.client_ids.iter().copied().collect();
    let entries = repo::rosters::lock_active_of_clients(conn, &actor.scope, &s.client_ids).await?;
    let entry_ids: HashSet<Uuid> = entries.iter().map(|e| e.id).collect();
    let mut observed = HashMap::new();
    for (i, o) in s.levels_observed.iter().enumerate() {
        if !entry_ids.contains(&o.roster_entry_id) {
            errors.push(field(
                format!("levels_observed[{i}].roster_entry_id"),
                "not_found",
                "不是本次走访对象的在册台账记录。",
                "Not an active roster entry of a client visited.",
            ));
        } else if observed.insert(o.roster_entry_id, (o.level, o.reason.as_ref().map(|r| r.trim().to_owned()))).is_some() {
            errors.push(field(
                format!("levels_observed[{i}].roster_entry_id"),
                "duplicate",
                "同一台账记录重复出现。",
                "This roster entry is listed twice.",
            ));
        }
        if fieldwork::reason_missing(o.level, o.reason.as_deref()) {
            errors.push(field(
                format!("levels_observed[{i}].reason"),
                "reason_required",
                "评为红色须说明理由。",
                "A rating of red needs a reason.",
            ));
        }
    }
    match (s.action, &s.case) {
        (VisitAction::OpenCase, None) => {
            errors.push(field("case", "required", "开案须填写个案信息。", "Opening a case needs the case's details."))
        }
        (VisitAction::OpenCase, Some(c)) if !visited.contains(&c.client_id) => errors.push(not_visited("case.client_id")),
        (VisitAction::OpenCase, Some(_)) => {}
        (_, Some(_)) => errors.push(not_for_action("case")),
        (_, None) => {}
    }
    match (s.action, &s.referral) {
        (VisitAction::Refer, None) => {
            errors.push(field("referral", "required", "转介须填写转介信息。", "A referral needs its details."))
        }
        (VisitAction::Refer, Some(r)) => {
            if !visited.contains(&r.client_id) {
                errors.push(not_visited("referral.client_id"));
            }
            if !r.consent_given {
                errors.push(field(
                    "referral.consent_given",
                    "consent_required",
                    "转出须先征得服务对象（或监护人）同意。",
                    "An outgoing referral needs the client's (or guardian's) consent.",
                ));
            }
        }
        (_, Some(_)) => errors.push(not_for_action("referral")),
        (_, None) => {}
    }
    let Some(unit_id) = unit_id.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    if let (VisitAction::OpenCase, Some(c)) = (s.action, &s.case) {
        if let Some(existing) = repo::rosters::open_case_in_domain(conn, c.client_id, c.domain).await? {
            let mut extra = serde_json::Map::new();
            extra.insert("case_id".into(), json!(existing));
            extra.insert("field".into(), json!("case.domain"));
            return Err(AppError::Conflict {
                code: "case_already_open",
                detail: Text::new(
                    "该服务对象在此服务领域已有未结的个案。",
                    "The client already has an open case in this service domain.",
                ),
                extra,
            });
        }
    }
    let seen: Vec<(Uuid, Option<Uuid>)> = s.client_ids.iter().filter_map(|c| known.get(c).map(|(_, h)| (*c, *h))).collect();
    let mut session = blank(id, SessionMethod::Visit, unit_id, actor, s.occurred_at, late);
    session.duration_minutes = s.duration_minutes;
    session.location = s.location;
    session.service_types = s.service_types;
    session.summary = s.summary;
    session.households_reached = Some(fieldwork::households_reached(&seen, s.household_id));
    session.client_ids = s.client_ids;
    let visit = Visit {
        session_id: id,
        household_id: s.household_id,
        mode: s.mode,
        findings: s.findings.map(|f| f.trim().to_owned()),
        needs_found: s.needs_found,
        action: s.action,
        opened_case_id: None,
        referral_id: None,
    };
    Ok((session, Vec::new(), Prepared { visit, entries, observed, case: s.case, referral: s.referral }))
}

/// Records what a visit does, once its session row exists: the case or referral of its action,
/// its own row and roster links, the entries' last visit, the levels observed, and the alert of an
/// urgent report.
pub async fn record(conn: &mut Conn, actor: &Actor, saved: &Session, p: Prepared) -> Result<(), AppError> {
    let Prepared { mut visit, entries, observed, case, referral } = p;
    if let Some(c) = case {
        let body = CreateCase {
            id: None,
            client_id: c.client_id,
            org_unit_id: saved.org_unit_id,
            source: CaseSource::Outreach,
            presenting_problem: c.presenting_problem,
            domain: c.domain,
            risk_level: c.risk_level,
            worker_id: None,
            problem_types: Vec::new(),
        };
        let (opened, _) = crate::services::cases::open_in(conn, actor, body).await?;
        let event = NewCaseEvent {
            id: Uuid::now_v7(),
            case_id: opened.id,
            client_id: opened.client_id,
            kind: "visit.opened_case".to_owned(),
            action: None,
            from_status: None,
            to_status: None,
            entity_type: Some("session".into()),
            entity_id: Some(saved.id),
            actor_id: actor.id,
            details: json!({"occurred_at": saved.occurred_at}),
        };
        repo::cases::insert_event(conn, &event).await?;
        visit.opened_case_id = Some(opened.id);
    }
    if let Some(r) = referral {
        let phone = match r.phone.as_deref().map(normalize_phone) {
            None => None,
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                return Err(AppError::Validation(vec![FieldError::new(
                    "referral.phone",
                    e.code(),
                    Text::owned(e.message_zh(), e.message_en()),
                )]))
            }
        };
        crate::services::clients::require_sharing_consent(conn, r.client_id).await?;
        let referral_id = Uuid::now_v7();
        repo::case_records::insert_referral(
            conn,
            &NewReferral {
                id: referral_id,
                case_id: None,
                org_unit_id: saved.org_unit_id,
                direction: ReferralDirection::Out,
                organization: r.organization.trim().to_owned(),
                contact: r.contact.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
                phone,
                reason: r.reason.trim().to_owned(),
                consent_given: r.consent_given,
                created_by: actor.id,
                client_id: Some(r.client_id),
                session_id: Some(saved.id),
            },
        )
        .await?;
        let details = json!({"session_id": saved.id, "client_id": r.client_id});
        repo::audit::insert(conn, &crate::services::audit::by(actor, "referral.create", "referral", Some(referral_id), details))
            .await?;
        visit.referral_id = Some(referral_id);
    }
    let links: Vec<VisitEntry> = entries
        .iter()
        .map(|e| VisitEntry {
            session_id: saved.id,
            roster_entry_id: e.id,
            occurred_at: saved.occurred_at,
            level_observed: observed.get(&e.id).map(|(l, _)| *l),
        })
        .collect();
    let action = visit.action;
    let findings = visit.findings.clone();
    repo::rosters::insert_visit(conn, &visit, &links).await?;
    let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
    repo::rosters::visited(conn, &ids, saved.occurred_at).await?;
    for entry in &entries {
        if let Some((level, reason)) = observed.get(&entry.id) {
            // The entry as it is now: the visit may have just moved its last visit.
            let fresh = repo::rosters::lock_in_scope(conn, &actor.scope, entry.id).await?.ok_or(AppError::NotFound)?;
            crate::services::rosters::observe_in(conn, actor, &fresh, *level, reason.clone(), saved.id).await?;
        }
    }
    if action == VisitAction::UrgentReport {
        let cause = crate::services::rosters::AlertCause {
            kind: AlertKind::UrgentReport,
            unit: saved.org_unit_id,
            session_id: Some(saved.id),
            entry_id: None,
            client_ids: saved.client_ids.clone(),
            summary: findings.or_else(|| saved.summary.clone()),
        };
        crate::services::rosters::raise_alert(conn, actor, cause).await?;
    }
    Ok(())
}

/// The visit part of a session's answer.
pub fn visit_out(s: &Session, v: Visit, entries: Vec<VisitEntry>) -> VisitOut {
    VisitOut {
        client_ids: s.client_ids.clone(),
        household_id: v.household_id,
        households_reached: s.households_reached.unwrap_or(0),
        mode: v.mode,
        findings: v.findings,
        needs_found: v.needs_found,
        action: v.action,
        opened_case_id: v.opened_case_id,
        referral_id: v.referral_id,
        roster_entries: entries
            .into_iter()
            .map(|e| VisitEntryOut { roster_entry_id: e.roster_entry_id, level_observed: e.level_observed })
            .collect(),
    }
}

/// The visit parts of some sessions (a list's page: one query for all of them).
pub async fn visits_of(conn: &mut Conn, sessions: &[Session]) -> Result<HashMap<Uuid, Visit>, AppError> {
    let ids: Vec<Uuid> = sessions.iter().filter(|s| s.method == SessionMethod::Visit).map(|s| s.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(repo::rosters::visits_of_sessions(conn, &ids).await?.into_iter().map(|v| (v.session_id, v)).collect())
}
