//! The client registry: registration with identity checks and de-duplication, masked lists,
//! audited detail reads, optimistic updates, soft deletion, households and the client timeline.
//!
//! A client's record is validated as a whole on every write: a PATCH is merged into the stored
//! record and the result must pass the same rules as a new registration, so no sequence of
//! partial updates can leave a record that a create would refuse.

use chrono::{DateTime, NaiveDate, Utc};
use scoped_futures::ScopedFutureExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::Actor;
use crate::db::{
    models::{Client, ClientData, ClientListRow},
    repo::{self, clients::ClientFilter, clients::ClientSearch},
    Conn,
};
use crate::domain::client_rules::{age_on, check_client, ClientFacts};
use crate::domain::consent::{self, ConsentEvent};
use crate::domain::division_code::DivisionCode;
use crate::domain::enums::{ConsentScope, IdType, RiskLevel, VisitMode};
use crate::domain::id_number::{mask_id_number, ResidentId};
use crate::domain::labels::Coded;
use crate::domain::permissions::Permission;
use crate::domain::phone::{mask_phone, normalize_phone};
use crate::dto::clients::{
    ClientOut, ClientQuery, ClientSummary, Consent, Contact, CreateClient, CreateHousehold, HouseholdOut, HouseholdVisitOut,
    MemberOut, SetHouseholdMembers, TimelineEntry, UpdateClient,
};
use crate::error::{AppError, DocumentProbe, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

fn to_json<T: serde::Serialize>(v: &Option<T>) -> Option<Value> {
    v.as_ref().and_then(|v| serde_json::to_value(v).ok())
}

fn from_json<T: DeserializeOwned>(v: &Option<Value>) -> Option<T> {
    v.as_ref().and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn field(field: &str, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Text::owned(zh, en))
}

fn normalize_contact(name: &str, contact: Option<Contact>, errors: &mut Vec<FieldError>) -> Option<Contact> {
    contact.map(|mut c| {
        c.name = c.name.trim().to_owned();
        if let Some(p) = &c.phone {
            match normalize_phone(p) {
                Ok(n) => c.phone = Some(n),
                Err(e) => {
                    errors.push(FieldError::new(format!("{name}.phone"), e.code(), Text::owned(e.message_zh(), e.message_en())))
                }
            }
        }
        c
    })
}

/// The fields of a client before normalisation (from a create, or a PATCH merged into a record).
struct Draft {
    data: ClientData,
    guardian: Option<Contact>,
    emergency_contact: Option<Contact>,
    consent: Option<Consent>,
    /// Whether `consent` is being recorded now (a consent is checked against the client as it
    /// was when it was recorded, so a later edit of the client does not reopen it).
    consent_is_new: bool,
}

/// Normalises and checks a whole client record: documents, phones, codes, and the cross-field
/// rules. Returns every violation at once.
fn finish(draft: Draft, today: NaiveDate) -> Result<ClientData, AppError> {
    let Draft { mut data, guardian, emergency_contact, consent, consent_is_new } = draft;
    let mut errors = Vec::new();
    data.name = data.name.trim().to_owned();
    match (data.id_type, data.id_number.take()) {
        (IdType::None, None) => {}
        (IdType::None, Some(_)) => errors.push(field(
            "id_number",
            "not_allowed",
            "证件类型为“无证件”时不能填写证件号码。",
            "No document number goes with id_type `none`.",
        )),
        (_, None) => errors.push(field("id_number", "required", "请填写证件号码。", "The document number is required.")),
        (IdType::ResidentId, Some(raw)) => match ResidentId::parse(&raw, today) {
            Ok(id) => {
                for e in id.disagreements(data.birth_date, data.gender) {
                    errors.push(FieldError::new(e.field(), e.code(), Text::owned(e.message_zh(), e.message_en())));
                }
                data.birth_date = Some(id.birth_date());
                data.gender = Some(id.gender());
                data.id_number = Some(id.as_str().to_owned());
            }
            Err(e) => errors.push(FieldError::new(e.field(), e.code(), Text::owned(e.message_zh(), e.message_en()))),
        },
        (_, Some(raw)) => {
            let n: String = raw.trim().to_uppercase().chars().filter(|c| *c != ' ').collect();
            if (5..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric()) {
                data.id_number = Some(n);
            } else {
                errors.push(field(
                    "id_number",
                    "invalid_format",
                    "证件号码应为 5–20 位字母或数字。",
                    "A document number is 5–20 letters or digits.",
                ));
            }
        }
    }
    if let Some(p) = data.phone.take() {
        match normalize_phone(&p) {
            Ok(n) => data.phone = Some(n),
            Err(e) => errors.push(FieldError::new("phone", e.code(), Text::owned(e.message_zh(), e.message_en()))),
        }
    }
    if let Some(code) = data.hukou_division_code.take() {
        match DivisionCode::parse(&code) {
            Ok(c) => data.hukou_division_code = Some(c.as_str().to_owned()),
            Err(e) => errors.push(FieldError::new("hukou_division_code", e.code(), Text::owned(e.message_zh(), e.message_en()))),
        }
    }
    let guardian = normalize_contact("guardian", guardian, &mut errors);
    let emergency_contact = normalize_contact("emergency_contact", emergency_contact, &mut errors);
    let consent = consent.map(|mut c| {
        c.signed_by = c.signed_by.trim().to_owned();
        c.withdrawal_reason = c.withdrawal_reason.map(|r| r.trim().to_owned());
        c
    });
    let mut violations = check_client(&ClientFacts {
        birth_date: data.birth_date,
        categories: &data.categories,
        has_guardian: guardian.is_some(),
        today,
    });
    if let Some(c) = consent.as_ref().filter(|_| consent_is_new) {
        let subject = consent::Subject { birth_date: data.birth_date, guardian_name: guardian.as_ref().map(|g| g.name.as_str()) };
        violations.extend(consent::check(&c.facts(), &subject));
    }
    for v in violations {
        errors.push(FieldError::new(v.field, v.code, Text::owned(v.zh, v.en)));
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(AppError::Validation(errors));
    }
    data.guardian = to_json(&guardian);
    data.emergency_contact = to_json(&emergency_contact);
    data.consent = to_json(&consent);
    Ok(data)
}

fn summary(c: ClientListRow) -> ClientSummary {
    ClientSummary {
        id: c.id,
        org_unit_id: c.org_unit_id,
        name: c.name,
        gender: c.gender,
        birth_date: c.birth_date,
        id_type: c.id_type,
        id_number_masked: c.id_number.as_deref().map(mask_id_number),
        phone_masked: c.phone.as_deref().map(mask_phone),
        categories: c.categories,
        risk_level: c.risk_level,
        household_id: c.household_id,
        version: c.version,
        created_at: c.created_at,
    }
}

async fn detail(conn: &mut Conn, actor: &Actor, c: Client) -> Result<ClientOut, AppError> {
    let household = match c.household_id {
        Some(h) => household_out(conn, actor, h).await?,
        None => None,
    };
    Ok(ClientOut {
        age: c.birth_date.map(|b| age_on(b, super::today())),
        id: c.id,
        org_unit_id: c.org_unit_id,
        name: c.name,
        gender: c.gender,
        birth_date: c.birth_date,
        id_type: c.id_type,
        id_number: c.id_number,
        phone: c.phone,
        address: c.address,
        hukou_division_code: c.hukou_division_code,
        categories: c.categories,
        living_arrangement: c.living_arrangement,
        self_care: c.self_care,
        disability: from_json(&c.disability),
        guardian: from_json(&c.guardian),
        emergency_contact: from_json(&c.emergency_contact),
        risk_level: c.risk_level,
        consent: from_json(&c.consent),
        notes: c.notes,
        household,
        created_by: c.created_by,
        version: c.version,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// How many visits the household view shows.
const RECENT_VISITS: i64 = 20;

async fn household_out(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<HouseholdOut>, AppError> {
    let Some(h) = repo::clients::find_household(conn, &actor.scope, id).await? else { return Ok(None) };
    let members = repo::clients::members(conn, id)
        .await?
        .into_iter()
        .map(|m| MemberOut { client_id: m.client_id, name: m.name, relation: m.relation })
        .collect();
    let recent_visits = repo::clients::household_visits(conn, id, RECENT_VISITS)
        .await?
        .into_iter()
        .map(|v| HouseholdVisitOut { id: v.id, occurred_at: v.occurred_at, mode: v.mode, recorded_by: v.recorded_by })
        .collect();
    Ok(Some(HouseholdOut {
        id: h.id,
        org_unit_id: h.org_unit_id,
        address: h.address,
        members,
        recent_visits,
        version: h.version,
        created_at: h.created_at,
    }))
}

fn unit_not_in_scope() -> AppError {
    AppError::field("org_unit_id", "not_found", Text::new("单位不存在或不在您的管辖范围内。", "No such unit in your scope."))
}

/// The search a `q` asks for: a full resident ID, a full mobile number, or part of a name.
fn search_for(q: &str) -> Option<ClientSearch> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    if let Ok(id) = ResidentId::parse(q, super::today()) {
        return Some(ClientSearch::Document(id.as_str().to_owned()));
    }
    if q.chars().any(|c| c.is_ascii_digit()) {
        if let Ok(phone) = normalize_phone(q) {
            return Some(ClientSearch::Phone(phone));
        }
        let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if compact.len() >= 5 && compact.bytes().all(|b| b.is_ascii_alphanumeric()) && compact.bytes().any(|b| b.is_ascii_digit())
        {
            return Some(ClientSearch::Document(compact));
        }
    }
    let text = q.to_lowercase();
    // Any piece of the part will do to find its candidates; its first two characters are the
    // whole of it for the usual one- or two-character search.
    let gram: String = text.chars().take(2).collect();
    Some(ClientSearch::Name { text, gram })
}

/// A page of clients in scope, masked.
pub async fn list(state: &AppState, actor: &Actor, query: ClientQuery, page: &Page) -> Result<Paged<ClientSummary>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let filter = ClientFilter {
        search: query.q.as_deref().and_then(search_for),
        category: query.category,
        risk_level: query.risk_level,
        unit_path,
        has_open_case: query.has_open_case,
    };
    let rows = repo::clients::list(&mut conn, &actor.scope, &filter, before, page.fetch_limit()).await?;
    Ok(page.finish(rows, |c| c.id).map(summary))
}

/// One client in full; the read is audited.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<ClientOut, AppError> {
    let mut conn = state.conn().await?;
    crate::db::transaction(&mut conn, |conn| {
        async move {
            let client = repo::clients::find_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            repo::audit::insert(conn, &super::audit::by(actor, "client.read", "client", Some(id), json!({}))).await?;
            detail(conn, actor, client).await
        }
        .scope_boxed_local()
    })
    .await
}

fn duplicate(existing: Uuid) -> AppError {
    let mut extra = serde_json::Map::new();
    extra.insert("existing_id".into(), json!(existing));
    AppError::Conflict {
        code: "duplicate_document",
        detail: Text::new("已有服务对象使用该证件号码。", "A client with this document number is already registered."),
        extra,
    }
}

/// Refuses a document number already registered. Inside the caller's scope the 409 points at the
/// record; outside it, it says only that the person is registered elsewhere and whom to ask
/// (`DocumentElsewhere`, audited by the caller as a probe), and only so many times a day: once
/// the day's hits are used up, every document check is refused before the lookup, so that
/// refusal tells nothing about whether the number is on file.
async fn check_document(
    conn: &mut Conn,
    actor: &Actor,
    data: &ClientData,
    except: Option<Uuid>,
    per_day: i64,
) -> Result<(), AppError> {
    let Some(number) = &data.id_number else { return Ok(()) };
    let probe = |existing: Option<Uuid>, retry_after_secs: Option<u64>| {
        AppError::DocumentElsewhere(Box::new(DocumentProbe {
            existing,
            id_type: data.id_type.as_str().to_owned(),
            masked: mask_id_number(number),
            retry_after_secs,
        }))
    };
    let (day_start, until_tomorrow) = super::probes::day_window(Utc::now());
    let used = repo::audit::probes_since(conn, actor.id, day_start).await?;
    if used >= per_day {
        return Err(probe(None, Some(until_tomorrow)));
    }
    match repo::clients::find_by_document(conn, data.id_type, number, except).await? {
        Some((existing, path)) if actor.scope.contains_path(&path) => Err(duplicate(existing)),
        Some((existing, _)) => Err(probe(Some(existing), None)),
        None => Ok(()),
    }
}

/// The consent on file, as the rules read it.
pub(crate) fn current_consent(stored: &Option<Value>) -> Option<Consent> {
    from_json(stored)
}

/// Whether the consent stored on a client's file allows `scope` today.
pub(crate) fn consent_permits(stored: &Option<Value>, scope: ConsentScope) -> bool {
    let consent = current_consent(stored);
    consent::permits(consent.as_ref().map(Consent::facts).as_ref(), scope, super::today())
}

/// Refuses to share a client's information (an outgoing referral) unless the consent on their
/// file allows it today: 409 `no_sharing_consent`.
pub(crate) async fn require_sharing_consent(conn: &mut Conn, client_id: Uuid) -> Result<(), AppError> {
    if consent_permits(&repo::clients::consent_for_share(conn, client_id).await?, ConsentScope::Sharing) {
        return Ok(());
    }
    Err(AppError::conflict(
        "no_sharing_consent",
        Text::new(
            "服务对象的知情同意未包含向合作机构提供信息（或已撤回），不能转出。请先登记相应的知情同意。",
            "The consent on the client's file does not allow sharing their information (or was withdrawn), so they cannot be referred out. Record a consent that allows it first.",
        ),
    ))
}

/// Records on the audit log (and so on the client's timeline) what a change of the consent on
/// file did, as [`consent::change`] gave it. The details name the uses and the signer's
/// relation, never the signer.
async fn audit_consent(
    conn: &mut Conn,
    actor: &Actor,
    client_id: Uuid,
    consent: &Option<Consent>,
    events: Vec<ConsentEvent>,
) -> Result<(), AppError> {
    let Some(c) = consent else { return Ok(()) };
    for event in events {
        let details = match event {
            ConsentEvent::Recorded => json!({"relation": c.relation, "date": c.date, "scopes": c.scopes}),
            ConsentEvent::Withdrawn => json!({"withdrawn_on": c.withdrawn_on}),
        };
        repo::audit::insert(conn, &super::audit::by(actor, event.action(), "client", Some(client_id), details)).await?;
    }
    Ok(())
}

/// Registers a client.
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateClient) -> Result<Written, AppError> {
    super::require(state, actor, Permission::ClientsWrite, "clients.create").await?;
    let id = body.id;
    let per_day = state.config.duplicate_probes_per_day;
    let result =
        tx::write(state, actor, "clients.create", claim, move |conn| create_in(conn, actor, body, per_day).scope_boxed_local())
            .await;
    super::replay::audit_refusal(state, actor, "client", id, &result).await;
    result
}

/// Calls `$m!` with the fields of a client a person types: the ones a replay compares and an
/// audit of a change names.
macro_rules! with_client_fields {
    ($m:ident) => {
        $m!(
            name,
            gender,
            birth_date,
            id_type,
            id_number,
            phone,
            address,
            hukou_division_code,
            categories,
            living_arrangement,
            self_care,
            disability,
            guardian,
            emergency_contact,
            risk_level,
            consent,
            notes
        )
    };
}

/// The fields a create sets that differ from a stored client (`household_id` is not the
/// create's: households come later).
fn create_diff(unit: Uuid, data: &ClientData, stored: &Client) -> super::replay::Diff {
    let mut diff = super::replay::Diff::new();
    diff.field("org_unit_id", &unit, &stored.org_unit_id);
    macro_rules! cmp {
        ($($f:ident),*) => { $( diff.field(stringify!($f), &data.$f, &stored.$f); )* };
    }
    with_client_fields!(cmp);
    diff
}

/// Registers a client inside the caller's transaction (permission already checked).
pub async fn create_in(conn: &mut Conn, actor: &Actor, body: CreateClient, probes_per_day: i64) -> Result<Written, AppError> {
    let data = finish(
        Draft {
            data: ClientData {
                name: body.name,
                gender: body.gender,
                birth_date: body.birth_date,
                id_type: body.id_type,
                id_number: body.id_number,
                phone: body.phone,
                address: body.address,
                hukou_division_code: body.hukou_division_code,
                categories: body.categories,
                living_arrangement: body.living_arrangement,
                self_care: body.self_care,
                disability: to_json(&body.disability),
                guardian: None,
                emergency_contact: None,
                household_id: None,
                risk_level: body.risk_level.unwrap_or(RiskLevel::Green),
                consent: None,
                notes: body.notes,
            },
            guardian: body.guardian,
            emergency_contact: body.emergency_contact,
            consent: body.consent,
            consent_is_new: true,
        },
        super::today(),
    )?;
    let (id, unit) = (body.id.unwrap_or_else(Uuid::now_v7), body.org_unit_id);
    if repo::clients::id_exists(conn, id).await? {
        // The same id twice is the same client: the same data replays it, other data is a
        // conflict; outside the caller's scope the id is just taken.
        let existing = repo::clients::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
        let diff = create_diff(unit, &data, &existing);
        let version = existing.version;
        let current = detail(conn, actor, existing).await?;
        return super::replay::existing(conn, actor, "client", id, &diff, version, &current).await;
    }
    repo::org_units::find_in_scope(conn, &actor.scope, unit).await?.ok_or_else(unit_not_in_scope)?;
    check_document(conn, actor, &data, None, probes_per_day).await?;
    let client = repo::clients::insert(conn, id, unit, actor.id, &data).await?;
    let details = json!({"org_unit_id": unit, "categories": client.categories});
    repo::audit::insert(conn, &super::audit::by(actor, "client.create", "client", Some(id), details)).await?;
    let first = current_consent(&client.consent);
    let events = consent::change(None, first.as_ref().map(Consent::facts).as_ref()).unwrap_or_default();
    audit_consent(conn, actor, id, &first, events).await?;
    let version = client.version;
    Written::created(id, version, &detail(conn, actor, client).await?)
}

fn merge(current: &Client, patch: UpdateClient) -> Draft {
    fn pick<T: Clone>(patch: Option<T>, current: &T) -> T {
        patch.unwrap_or_else(|| current.clone())
    }
    let id_type = patch.id_type.unwrap_or(current.id_type);
    // Changing the document type without a number clears a number that no longer fits.
    let id_number = match (patch.id_number, patch.id_type) {
        (Some(n), _) => n,
        (None, Some(t)) if t != current.id_type => None,
        (None, _) => current.id_number.clone(),
    };
    Draft {
        data: ClientData {
            name: pick(patch.name, &current.name),
            gender: pick(patch.gender, &current.gender),
            birth_date: pick(patch.birth_date, &current.birth_date),
            id_type,
            id_number,
            phone: pick(patch.phone, &current.phone),
            address: pick(patch.address, &current.address),
            hukou_division_code: pick(patch.hukou_division_code, &current.hukou_division_code),
            categories: pick(patch.categories, &current.categories),
            living_arrangement: pick(patch.living_arrangement, &current.living_arrangement),
            self_care: pick(patch.self_care, &current.self_care),
            disability: patch.disability.map(|d| to_json(&d)).unwrap_or_else(|| current.disability.clone()),
            guardian: None,
            emergency_contact: None,
            household_id: current.household_id,
            risk_level: pick(patch.risk_level, &current.risk_level),
            consent: None,
            notes: pick(patch.notes, &current.notes),
        },
        guardian: patch.guardian.unwrap_or_else(|| from_json(&current.guardian)),
        emergency_contact: patch.emergency_contact.unwrap_or_else(|| from_json(&current.emergency_contact)),
        consent_is_new: patch.consent.as_ref().is_some_and(|c| *c != from_json::<Consent>(&current.consent)),
        consent: patch.consent.unwrap_or_else(|| from_json(&current.consent)),
    }
}

/// Which fields changed, by name (the audit log keeps names, not personal data).
fn changed_fields(before: &Client, after: &Client) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if before.$f != after.$f { out.push(stringify!($f)); } )* };
    }
    with_client_fields!(cmp);
    out
}

/// Changes a client (If-Match).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateClient,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::ClientsWrite, "clients.update").await?;
    let per_day = state.config.duplicate_probes_per_day;
    let result = tx::write(state, actor, "clients.update", None, move |conn| {
        update_in(conn, actor, id, expected_version, patch, per_day).scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "client", Some(id), &result).await;
    result
}

/// Changes a client inside the caller's transaction (permission already checked).
pub async fn update_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateClient,
    probes_per_day: i64,
) -> Result<Written, AppError> {
    let current = repo::clients::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    let data = finish(merge(&current, patch), super::today())?;
    let before = current_consent(&current.consent);
    let after = current_consent(&data.consent);
    let events = consent::change(before.as_ref().map(Consent::facts).as_ref(), after.as_ref().map(Consent::facts).as_ref())
        .map_err(|v| AppError::Validation(vec![FieldError::new(v.field, v.code, Text::owned(v.zh, v.en))]))?;
    // Only a number that changes is looked up (and counted against the day's checks).
    if (data.id_type, &data.id_number) != (current.id_type, &current.id_number) {
        check_document(conn, actor, &data, Some(id), probes_per_day).await?;
    }
    let updated = repo::clients::update(conn, id, &data).await?;
    let details = json!({"fields": changed_fields(&current, &updated)});
    repo::audit::insert(conn, &super::audit::by(actor, "client.update", "client", Some(id), details)).await?;
    audit_consent(conn, actor, id, &after, events).await?;
    let version = updated.version;
    Written::changed(version, &detail(conn, actor, updated).await?)
}

/// A client in scope as its detail shows it, without auditing a read (the caller is about to
/// change it, or compares with it).
pub async fn current_in(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<(i32, ClientOut)>, AppError> {
    let Some(client) = repo::clients::find_in_scope(conn, &actor.scope, id).await? else { return Ok(None) };
    let version = client.version;
    Ok(Some((version, detail(conn, actor, client).await?)))
}

/// Soft-deletes a client (supervisor). The row stays, with `deleted_at`.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    super::require(state, actor, Permission::ClientsDelete, "clients.delete").await?;
    tx::write(state, actor, "clients.delete", None, move |conn| {
        async move {
            delete_in(conn, actor, id, None).await?;
            Ok(Written::done())
        }
        .scope_boxed_local()
    })
    .await
    .map(|_| ())
}

/// Soft-deletes a client inside the caller's transaction (permission already checked); with
/// `expected_version`, only that version (412 otherwise).
pub async fn delete_in(conn: &mut Conn, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<(), AppError> {
    let current = repo::clients::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed);
    }
    repo::clients::soft_delete(conn, id).await?;
    // A deleted record is no one's to visit: its roster entries end with it (kept, as
    // every entry that ends is).
    let left = repo::rosters::leave_all_of_client(conn, id, super::today(), "服务对象档案已删除").await?;
    repo::audit::insert(
        conn,
        &super::audit::by(actor, "client.delete", "client", Some(id), json!({"roster_entries_left": left})),
    )
    .await?;
    Ok(())
}

fn timeline_kind(action: &str) -> (&'static str, &'static str, &'static str) {
    match action {
        "client.create" => ("client.registered", "登记为服务对象", "Registered as a client"),
        "client.update" => ("client.updated", "更新档案", "Record updated"),
        "client.delete" => ("client.deleted", "删除档案", "Record deleted"),
        "household.members" => ("household.changed", "家庭成员变更", "Household changed"),
        "visit.recorded" => ("visit.recorded", "走访", "Visit"),
        "consent.recorded" => ("consent.recorded", "登记知情同意", "Consent recorded"),
        "consent.withdrawn" => ("consent.withdrawn", "撤回知情同意", "Consent withdrawn"),
        _ => ("event", "记录", "Event"),
    }
}

/// The client's history, newest first: changes to the client's record, the events of the
/// client's cases (opened, transitions, reviews, referrals, …), and the visits that saw the
/// client (`visit.recorded`, with the visit's mode).
pub async fn timeline(state: &AppState, actor: &Actor, id: Uuid, page: &Page) -> Result<Paged<TimelineEntry>, AppError> {
    let before = page.after::<(DateTime<Utc>, Uuid)>()?;
    let mut conn = state.conn().await?;
    repo::clients::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    let rows = repo::clients::history(&mut conn, id, before, page.fetch_limit()).await?;
    let lang = crate::i18n::current_lang();
    let paged = page.finish(rows, |e| (e.at, e.id));
    Ok(paged.map(|e| {
        let (kind, summary) = if e.from_case {
            let summary = super::cases::event_summary(&e.kind, e.action, e.from_status, e.to_status, &e.details, lang);
            (e.kind, summary)
        } else {
            let (kind, zh, en) = timeline_kind(&e.kind);
            (kind.to_owned(), timeline_summary(kind, zh, en, &e.details, lang))
        };
        TimelineEntry { at: e.at, kind, entity_type: e.entity_type, entity_id: e.entity_id, actor_id: e.actor_id, summary }
    }))
}

/// The line a timeline shows for an entry of the client's own record: a visit with its mode, a
/// consent with the uses consented to, a change with the fields changed.
fn timeline_summary(kind: &str, zh: &str, en: &str, details: &Value, lang: crate::i18n::Lang) -> String {
    use crate::i18n::Lang;
    let parts: Vec<(&str, &str)> = match kind {
        "visit.recorded" => details
            .get("mode")
            .and_then(Value::as_str)
            .and_then(VisitMode::from_code)
            .map(|m| vec![(m.zh(), m.en())])
            .unwrap_or_default(),
        "consent.recorded" => details
            .get("scopes")
            .and_then(|v| serde_json::from_value::<Vec<ConsentScope>>(v.clone()).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.zh(), s.en()))
            .collect(),
        _ => {
            let fields = details.get("fields").map(|f| f.to_string()).unwrap_or_default();
            return match (lang, fields.is_empty()) {
                (_, true) if lang == Lang::Zh => zh.to_owned(),
                (_, true) => en.to_owned(),
                (Lang::Zh, false) => format!("{zh}：{fields}"),
                (Lang::En, false) => format!("{en}: {fields}"),
            };
        }
    };
    if parts.is_empty() {
        return if lang == Lang::Zh { zh.to_owned() } else { en.to_owned() };
    }
    match (lang, kind) {
        (Lang::Zh, "visit.recorded") => format!("{zh}（{}）", parts[0].0),
        (Lang::En, "visit.recorded") => format!("{en} ({})", parts[0].1.to_lowercase()),
        (Lang::Zh, _) => format!("{zh}：{}", parts.iter().map(|p| p.0).collect::<Vec<_>>().join("、")),
        (Lang::En, _) => format!("{en}: {}", parts.iter().map(|p| p.1.to_lowercase()).collect::<Vec<_>>().join(", ")),
    }
}

/// Creates a household in a unit in scope.
pub async fn create_household(
    state: &AppState,
    actor: &Actor,
    claim: Option<Claim>,
    body: CreateHousehold,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::HouseholdsWrite, "households.create").await?;
    let id = body.id;
    let result = tx::write(state, actor, "households.create", claim, move |conn| {
        create_household_in(conn, actor, body).scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "household", id, &result).await;
    result
}

/// Creates a household inside the caller's transaction (permission already checked).
pub async fn create_household_in(conn: &mut Conn, actor: &Actor, body: CreateHousehold) -> Result<Written, AppError> {
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    if repo::clients::household_id_exists(conn, id).await? {
        let h = household_out(conn, actor, id).await?.ok_or_else(super::replay::id_taken)?;
        let mut diff = super::replay::Diff::new();
        diff.field("org_unit_id", &body.org_unit_id, &h.org_unit_id).field("address", &body.address, &h.address);
        return super::replay::existing(conn, actor, "household", id, &diff, h.version, &h).await;
    }
    repo::org_units::find_in_scope(conn, &actor.scope, body.org_unit_id).await?.ok_or_else(unit_not_in_scope)?;
    repo::clients::insert_household(conn, id, body.org_unit_id, body.address, actor.id).await?;
    repo::audit::insert(conn, &super::audit::by(actor, "household.create", "household", Some(id), json!({}))).await?;
    let h = household_out(conn, actor, id).await?.ok_or(AppError::NotFound)?;
    Written::created(id, h.version, &h)
}

/// A household in scope as its detail shows it.
pub async fn household_in(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<HouseholdOut>, AppError> {
    household_out(conn, actor, id).await
}

/// One household in scope.
pub async fn get_household(state: &AppState, actor: &Actor, id: Uuid) -> Result<HouseholdOut, AppError> {
    let mut conn = state.conn().await?;
    household_out(&mut conn, actor, id).await?.ok_or(AppError::NotFound)
}

/// Replaces a household's members.
pub async fn set_members(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: SetHouseholdMembers,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::HouseholdsWrite, "households.members").await?;
    tx::write(state, actor, "households.members", None, move |conn| {
        set_members_in(conn, actor, id, expected_version, body).scope_boxed_local()
    })
    .await
}

/// Replaces a household's members inside the caller's transaction (permission already checked).
pub async fn set_members_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: SetHouseholdMembers,
) -> Result<Written, AppError> {
    let household = repo::clients::lock_household(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    // A phone replaying a stale list must not end memberships made since it read one.
    if household.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, m) in body.members.iter().enumerate() {
        let f = format!("members[{i}].client_id");
        if !seen.insert(m.client_id) {
            errors.push(field(&f, "duplicate", "同一服务对象重复出现。", "This client is listed twice."));
        } else if repo::clients::find_in_scope(conn, &actor.scope, m.client_id).await?.is_none() {
            errors.push(field(&f, "not_found", "服务对象不存在或不在您的管辖范围内。", "No such client in your scope."));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let members: Vec<_> = body.members.iter().map(|m| (m.client_id, m.relation)).collect();
    repo::clients::set_members(conn, id, &members).await?;
    for (client, _) in &members {
        repo::audit::insert(
            conn,
            &super::audit::by(actor, "household.members", "client", Some(*client), json!({"household_id": id})),
        )
        .await?;
    }
    repo::audit::insert(
        conn,
        &super::audit::by(actor, "household.members", "household", Some(id), json!({"members": members.len()})),
    )
    .await?;
    let h = household_out(conn, actor, id).await?.ok_or(AppError::NotFound)?;
    Written::changed(h.version, &h)
}
