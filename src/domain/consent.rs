//! Informed consent (知情同意) on a client's file: what a consent must hold, how it may change,
//! and what it allows.
//!
//! Policy:
//! - A consent names who signed, their relation to the client, the date, and the uses consented
//!   to ([`ConsentScope`]); PIPL art. 14 wants each use consented to knowingly, so the uses are
//!   listed, never implied.
//! - A child under 14 cannot consent for themselves (PIPL art. 31): the signer is their guardian,
//!   the one on the client's file, so a consent names a person the station actually knows.
//! - A consent is evidence: once on file it is never removed or rewritten. It ends by withdrawal
//!   (a date and a reason), which is final, or is replaced by a later consent dated on or after
//!   it (and on or after its withdrawal). Earlier consents live on in the audit log and the
//!   client's timeline.
//! - A withdrawn consent allows nothing from its withdrawal date on.
//! - Age is in completed years on the consent's date; when the birth date is unknown the age rule
//!   cannot be applied (the client rules already require a birth date for children's categories).

use chrono::NaiveDate;

use super::client_rules::{age_on, RuleViolation};
use super::enums::{ConsentRelation, ConsentScope};

/// Age below which the guardian consents for the child (PIPL art. 31).
pub const CHILD_CONSENT_AGE: u32 = 14;

/// The facts of one consent that the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFacts<'a> {
    /// Who signed.
    pub signed_by: &'a str,
    /// The signer's relation to the client.
    pub relation: ConsentRelation,
    /// Date signed.
    pub date: NaiveDate,
    /// The uses consented to, as submitted (duplicates included, so they can be reported).
    pub scopes: &'a [ConsentScope],
    /// Date of withdrawal, if withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// Whether a (non-blank) reason for the withdrawal is given.
    pub has_withdrawal_reason: bool,
}

/// What the rules need to know about the client whose consent it is.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Birth date, from the resident ID when there is one.
    pub birth_date: Option<NaiveDate>,
    /// The guardian's name on the client's file, if any.
    pub guardian_name: Option<&'a str>,
}

/// What a change of the consent on file records (each becomes an event on the timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentEvent {
    /// A consent was put on file (the first, or one replacing the previous).
    Recorded,
    /// The consent on file was withdrawn.
    Withdrawn,
}

impl ConsentEvent {
    /// The audit action (and timeline kind) of the event.
    pub fn action(self) -> &'static str {
        match self {
            ConsentEvent::Recorded => "consent.recorded",
            ConsentEvent::Withdrawn => "consent.withdrawn",
        }
    }
}

fn violation(field: &str, code: &'static str, zh: &str, en: &str) -> RuleViolation {
    RuleViolation::new(field, code, zh.to_owned(), en.to_owned())
}

/// Checks one consent against the client it belongs to; every violation at once, each naming
/// the `consent.*` field to fix.
pub fn check(c: &ConsentFacts<'_>, subject: &Subject<'_>) -> Vec<RuleViolation> {
    let mut out = Vec::new();
    if c.scopes.is_empty() {
        out.push(violation("consent.scopes", "required", "请选择同意的用途。", "Name at least one use consented to."));
    }
    if c.scopes.iter().enumerate().any(|(i, s)| c.scopes[..i].contains(s)) {
        out.push(violation("consent.scopes", "duplicate", "同意的用途有重复。", "A use is listed twice."));
    }
    if let Some(birth) = subject.birth_date {
        if c.date < birth {
            out.push(violation(
                "consent.date",
                "before_birth",
                "签署日期早于出生日期。",
                "The consent is dated before the client's birth.",
            ));
        } else if age_on(birth, c.date) < CHILD_CONSENT_AGE {
            if c.relation != ConsentRelation::Guardian {
                out.push(violation(
                    "consent.relation",
                    "guardian_required",
                    "不满十四周岁的服务对象须由其监护人签署知情同意。",
                    "For a client under 14 the consent is signed by their guardian.",
                ));
            } else if subject.guardian_name.is_some_and(|g| g.trim() != c.signed_by.trim()) {
                out.push(violation(
                    "consent.signed_by",
                    "not_the_guardian",
                    "签署人须为档案中登记的监护人（如监护人有变，请先更新监护人信息）。",
                    "The signer must be the guardian on the client's file (update the guardian first if it changed).",
                ));
            }
        }
    }
    match (c.withdrawn_on, c.has_withdrawal_reason) {
        (Some(on), _) if on < c.date => out.push(violation(
            "consent.withdrawn_on",
            "before_consent",
            "撤回日期早于签署日期。",
            "The withdrawal is dated before the consent.",
        )),
        (Some(_), false) => out.push(violation(
            "consent.withdrawal_reason",
            "required",
            "撤回知情同意须填写原因。",
            "A withdrawal needs a reason.",
        )),
        (None, true) => out.push(violation(
            "consent.withdrawn_on",
            "required",
            "填写了撤回原因，请同时填写撤回日期。",
            "A withdrawal reason goes with the date of the withdrawal.",
        )),
        _ => {}
    }
    out
}

fn same_consent(a: &ConsentFacts<'_>, b: &ConsentFacts<'_>) -> bool {
    a.signed_by.trim() == b.signed_by.trim() && a.relation == b.relation && a.date == b.date && a.scopes == b.scopes
}

/// What changing the consent on file from `before` to `after` records, or why it may not.
pub fn change(before: Option<&ConsentFacts<'_>>, after: Option<&ConsentFacts<'_>>) -> Result<Vec<ConsentEvent>, RuleViolation> {
    let recorded = |a: &ConsentFacts<'_>| {
        let mut events = vec![ConsentEvent::Recorded];
        if a.withdrawn_on.is_some() {
            events.push(ConsentEvent::Withdrawn);
        }
        events
    };
    match (before, after) {
        (None, None) => Ok(Vec::new()),
        (None, Some(a)) => Ok(recorded(a)),
        (Some(_), None) => Err(violation(
            "consent",
            "cannot_remove",
            "已登记的知情同意不能删除；如服务对象不再同意，请登记撤回（撤回日期和原因）。",
            "A consent on file cannot be removed; record its withdrawal (withdrawn_on and withdrawal_reason) instead.",
        )),
        (Some(b), Some(a)) if b == a => Ok(Vec::new()),
        (Some(b), Some(a)) if same_consent(b, a) => match (b.withdrawn_on, a.withdrawn_on) {
            (None, _) => Ok(vec![ConsentEvent::Withdrawn]),
            // Signed again on the day it was withdrawn: a new consent that reads like the old.
            (Some(was), None) if a.date >= was => Ok(vec![ConsentEvent::Recorded]),
            (Some(_), _) => Err(violation(
                "consent.withdrawn_on",
                "withdrawal_final",
                "撤回不能取消或更改；如服务对象重新同意，请登记新的知情同意。",
                "A withdrawal stands; if the client consents again, record a new consent.",
            )),
        },
        (Some(b), Some(a)) => {
            let earliest = b.withdrawn_on.map_or(b.date, |w| w.max(b.date));
            if a.date < earliest {
                return Err(violation(
                    "consent.date",
                    "earlier_than_current",
                    "新的知情同意的签署日期不能早于现有同意（及其撤回）的日期。",
                    "A new consent is dated on or after the one on file (and its withdrawal).",
                ));
            }
            Ok(recorded(a))
        }
    }
}

/// Whether the consent on file allows `scope` on `on`: present, signed by then, covering the
/// use, and not withdrawn by then.
pub fn permits(consent: Option<&ConsentFacts<'_>>, scope: ConsentScope, on: NaiveDate) -> bool {
    consent.is_some_and(|c| c.date <= on && c.scopes.contains(&scope) && c.withdrawn_on.is_none_or(|w| w > on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    const SERVICES: &[ConsentScope] = &[ConsentScope::Services];
    const BOTH: &[ConsentScope] = &[ConsentScope::Services, ConsentScope::Sharing];

    fn consent<'a>(signed_by: &'a str, relation: ConsentRelation, date: &str, scopes: &'a [ConsentScope]) -> ConsentFacts<'a> {
        ConsentFacts { signed_by, relation, date: d(date), scopes, withdrawn_on: None, has_withdrawal_reason: false }
    }

    fn codes(v: &[RuleViolation]) -> Vec<(&str, &str)> {
        v.iter().map(|v| (v.field.as_str(), v.code)).collect()
    }

    #[test]
    fn a_child_under_14_consents_through_the_guardian_on_file() {
        let child = Subject { birth_date: Some(d("2015-06-01")), guardian_name: Some("王芳") };
        let own = consent("王小明", ConsentRelation::Myself, "2026-11-01", SERVICES);
        assert_eq!(codes(&check(&own, &child)), vec![("consent.relation", "guardian_required")]);
        let agent = consent("李四", ConsentRelation::Agent, "2026-11-01", SERVICES);
        assert_eq!(codes(&check(&agent, &child)), vec![("consent.relation", "guardian_required")]);
        let stranger = consent("李四", ConsentRelation::Guardian, "2026-11-01", SERVICES);
        assert_eq!(codes(&check(&stranger, &child)), vec![("consent.signed_by", "not_the_guardian")]);
        let guardian = consent(" 王芳 ", ConsentRelation::Guardian, "2026-11-01", SERVICES);
        assert!(check(&guardian, &child).is_empty());
    }

    #[test]
    fn the_age_is_taken_on_the_consent_date() {
        let teen = Subject { birth_date: Some(d("2012-11-02")), guardian_name: Some("王芳") };
        // 13 the day before the 14th birthday, 14 on it.
        assert_eq!(check(&consent("王小明", ConsentRelation::Myself, "2026-11-01", SERVICES), &teen).len(), 1);
        assert!(check(&consent("王小明", ConsentRelation::Myself, "2026-11-02", SERVICES), &teen).is_empty());
        let unknown = Subject { birth_date: None, guardian_name: None };
        assert!(check(&consent("王小明", ConsentRelation::Myself, "2026-11-01", SERVICES), &unknown).is_empty());
        let adult = Subject { birth_date: Some(d("1950-01-01")), guardian_name: None };
        assert_eq!(
            codes(&check(&consent("张三", ConsentRelation::Myself, "1949-12-31", SERVICES), &adult)),
            vec![("consent.date", "before_birth")]
        );
    }

    #[test]
    fn uses_are_listed_once_each_and_a_withdrawal_has_a_date_and_a_reason() {
        let adult = Subject { birth_date: Some(d("1950-01-01")), guardian_name: None };
        let none = consent("张三", ConsentRelation::Myself, "2026-11-01", &[]);
        assert_eq!(codes(&check(&none, &adult)), vec![("consent.scopes", "required")]);
        let twice = [ConsentScope::Services, ConsentScope::Sharing, ConsentScope::Services];
        assert_eq!(
            codes(&check(&consent("张三", ConsentRelation::Myself, "2026-11-01", &twice), &adult)),
            vec![("consent.scopes", "duplicate")]
        );
        let mut w = consent("张三", ConsentRelation::Myself, "2026-11-01", SERVICES);
        w.withdrawn_on = Some(d("2026-11-02"));
        assert_eq!(codes(&check(&w, &adult)), vec![("consent.withdrawal_reason", "required")]);
        w.has_withdrawal_reason = true;
        assert!(check(&w, &adult).is_empty());
        w.withdrawn_on = Some(d("2026-10-31"));
        assert_eq!(codes(&check(&w, &adult)), vec![("consent.withdrawn_on", "before_consent")]);
        w.withdrawn_on = None;
        assert_eq!(codes(&check(&w, &adult)), vec![("consent.withdrawn_on", "required")]);
    }

    #[test]
    fn a_consent_on_file_is_withdrawn_or_replaced_never_removed_or_unwithdrawn() {
        let first = consent("张三", ConsentRelation::Myself, "2026-10-01", BOTH);
        let mut withdrawn = first;
        withdrawn.withdrawn_on = Some(d("2026-11-01"));
        withdrawn.has_withdrawal_reason = true;
        assert_eq!(change(None, None), Ok(vec![]));
        assert_eq!(change(None, Some(&first)), Ok(vec![ConsentEvent::Recorded]));
        assert_eq!(change(None, Some(&withdrawn)), Ok(vec![ConsentEvent::Recorded, ConsentEvent::Withdrawn]));
        assert_eq!(change(Some(&first), Some(&first)), Ok(vec![]));
        assert_eq!(change(Some(&first), None).expect_err("refused").code, "cannot_remove");
        assert_eq!(change(Some(&first), Some(&withdrawn)), Ok(vec![ConsentEvent::Withdrawn]));
        assert_eq!(change(Some(&withdrawn), Some(&withdrawn)), Ok(vec![]));
        assert_eq!(change(Some(&withdrawn), Some(&first)).expect_err("refused").code, "withdrawal_final");
        let mut moved = withdrawn;
        moved.withdrawn_on = Some(d("2026-11-02"));
        assert_eq!(change(Some(&withdrawn), Some(&moved)).expect_err("refused").code, "withdrawal_final");
        // A new consent is dated on or after the withdrawal of the one it replaces.
        let early = consent("张三", ConsentRelation::Myself, "2026-10-15", SERVICES);
        assert_eq!(change(Some(&withdrawn), Some(&early)).expect_err("refused").field, "consent.date");
        let again = consent("张三", ConsentRelation::Myself, "2026-11-01", SERVICES);
        assert_eq!(change(Some(&withdrawn), Some(&again)), Ok(vec![ConsentEvent::Recorded]));
        // Withdrawn the day it was signed, and signed again that day.
        let mut same_day = first;
        same_day.withdrawn_on = Some(first.date);
        same_day.has_withdrawal_reason = true;
        assert_eq!(change(Some(&same_day), Some(&first)), Ok(vec![ConsentEvent::Recorded]));
        // Replacing an active one (a narrower use, a corrected name) is a new consent too.
        assert_eq!(change(Some(&first), Some(&early)), Ok(vec![ConsentEvent::Recorded]));
        let before = consent("张三", ConsentRelation::Myself, "2026-09-30", BOTH);
        assert_eq!(change(Some(&first), Some(&before)).expect_err("refused").code, "earlier_than_current");
    }

    #[test]
    fn a_consent_allows_its_uses_from_its_date_until_its_withdrawal() {
        let mut c = consent("张三", ConsentRelation::Myself, "2026-10-01", BOTH);
        assert!(!permits(None, ConsentScope::Services, d("2026-10-02")));
        assert!(!permits(Some(&c), ConsentScope::Services, d("2026-09-30")));
        assert!(permits(Some(&c), ConsentScope::Services, d("2026-10-01")));
        assert!(permits(Some(&c), ConsentScope::Sharing, d("2026-10-01")));
        assert!(!permits(Some(&c), ConsentScope::Media, d("2026-10-01")));
        c.withdrawn_on = Some(d("2026-11-01"));
        assert!(permits(Some(&c), ConsentScope::Sharing, d("2026-10-31")));
        assert!(!permits(Some(&c), ConsentScope::Sharing, d("2026-11-01")));
        assert!(!permits(Some(&c), ConsentScope::Services, d("2026-12-01")));
    }
}
