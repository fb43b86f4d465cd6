//! Population groups (REPORTING.md §2): which groups a person served counts in.
//!
//! Policy:
//! - A person is in every group that fits, and in `other` only when none does.
//! - `elderly` (60 and over) and `minor` (under 18) go by the age on the day given: the statistics
//!   take the period's last day, so a person is in one age group for the whole period (the
//!   design's "age at the session" would split one person across two groups in the period of a
//!   birthday). Without a birth date neither applies.
//! - `disabled`: a disability category, or a disability certificate on file.
//! - `basic_protection`: 低保, 低保边缘, 特困. `children_in_difficulty`: 孤儿, 事实无人抚养,
//!   困境, 留守儿童.
//! - The statistics apply this rule in SQL (`population_groups`, so that the distinct counts are
//!   made where the rows are); `tests/api/rules.rs` holds the two equal.

use chrono::NaiveDate;

use super::client_rules::{age_on, ADULT_AGE, ELDER_MIN_AGE};
use super::enums::{ClientCategory, PopulationGroup};

/// The categories that make a person `disabled`.
pub const DISABLED: [ClientCategory; 3] =
    [ClientCategory::Disabled, ClientCategory::SevereDisabled, ClientCategory::DisabledElder];
/// The categories that make a person `basic_protection`.
pub const BASIC_PROTECTION: [ClientCategory; 3] = [ClientCategory::Dibao, ClientCategory::DibaoEdge, ClientCategory::Tekun];
/// The categories that make a person `children_in_difficulty`.
pub const CHILDREN_IN_DIFFICULTY: [ClientCategory; 4] = [
    ClientCategory::Orphan,
    ClientCategory::DeFactoUncaredChild,
    ClientCategory::DistressedChild,
    ClientCategory::LeftBehindChild,
];

/// The groups a person counts in on `on`, in the order of [`PopulationGroup::ALL`].
pub fn groups(
    categories: &[ClientCategory],
    birth_date: Option<NaiveDate>,
    has_disability: bool,
    on: NaiveDate,
) -> Vec<PopulationGroup> {
    let age = birth_date.map(|b| age_on(b, on));
    let any = |set: &[ClientCategory]| categories.iter().any(|c| set.contains(c));
    let mut out = Vec::new();
    if age.is_some_and(|a| a >= ELDER_MIN_AGE) {
        out.push(PopulationGroup::Elderly);
    }
    if age.is_some_and(|a| a < ADULT_AGE) {
        out.push(PopulationGroup::Minor);
    }
    if has_disability || any(&DISABLED) {
        out.push(PopulationGroup::Disabled);
    }
    if any(&BASIC_PROTECTION) {
        out.push(PopulationGroup::BasicProtection);
    }
    if any(&CHILDREN_IN_DIFFICULTY) {
        out.push(PopulationGroup::ChildrenInDifficulty);
    }
    if out.is_empty() {
        out.push(PopulationGroup::Other);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClientCategory as C;
    use PopulationGroup as G;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_person_is_in_every_group_that_fits_and_other_only_alone() {
        let on = d("2026-12-31");
        assert_eq!(
            groups(&[C::Dibao, C::LeftBehindElder], Some(d("1950-01-01")), false, on),
            vec![G::Elderly, G::BasicProtection]
        );
        assert_eq!(
            groups(&[C::LeftBehindChild, C::Dibao], Some(d("2016-05-01")), true, on),
            vec![G::Minor, G::Disabled, G::BasicProtection, G::ChildrenInDifficulty]
        );
        assert_eq!(groups(&[C::GeneralResident], Some(d("1980-01-01")), false, on), vec![G::Other]);
        assert_eq!(groups(&[], None, false, on), vec![G::Other]);
        assert_eq!(groups(&[C::SevereDisabled], None, false, on), vec![G::Disabled]);
        assert_eq!(groups(&[C::Tekun], None, true, on), vec![G::Disabled, G::BasicProtection]);
    }

    #[test]
    fn age_groups_turn_on_the_birthday() {
        assert_eq!(groups(&[], Some(d("1966-12-31")), false, d("2026-12-30")), vec![G::Other]);
        assert_eq!(groups(&[], Some(d("1966-12-31")), false, d("2026-12-31")), vec![G::Elderly]);
        assert_eq!(groups(&[], Some(d("2008-12-31")), false, d("2026-12-30")), vec![G::Minor]);
        assert_eq!(groups(&[], Some(d("2008-12-31")), false, d("2026-12-31")), vec![G::Other]);
        // Born on 29 February: a year is complete on 1 March in common years.
        assert_eq!(groups(&[], Some(d("1964-02-29")), false, d("2024-02-28")), vec![G::Other]);
        assert_eq!(groups(&[], Some(d("1964-02-29")), false, d("2024-02-29")), vec![G::Elderly]);
        assert_eq!(groups(&[], Some(d("1964-02-29")), false, d("2025-02-28")), vec![G::Elderly]);
    }
}
