//! The rules of offline sync that a device must be able to apply itself (FIELDWORK.md §3).
//!
//! - A device checks its copy of a unit with [`checksum`]: a sum of per-record hashes, so the order
//!   records arrived in does not matter and the device can keep it up to date as it goes.
//! - Phone and address travel whole only for the people a worker visits: clients of the caller's
//!   own unit and of the village rooms directly under it ([`contact_shown`]).

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash of one record a device holds: the first 8 bytes, big-endian, of SHA-256 of
/// `"{entity}:{id}:{version}"` (the id hyphenated, lower case).
pub fn record_hash(entity: &str, id: Uuid, version: i32) -> u64 {
    let digest = Sha256::digest(format!("{entity}:{id}:{version}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The checksum of a set of records: their hashes summed modulo 2^64, as 16 lower-case hex digits.
pub fn checksum(hashes: impl IntoIterator<Item = u64>) -> String {
    let sum = hashes.into_iter().fold(0u64, u64::wrapping_add);
    format!("{sum:016x}")
}

/// Whether a client of the unit at `unit_path` shows its phone and address whole to a caller
/// whose unit is at `caller_path`: the caller's own unit, or a unit directly beneath it.
pub fn contact_shown(caller_path: &str, unit_path: &str) -> bool {
    match unit_path.strip_prefix(caller_path) {
        Some("") => true,
        Some(rest) => rest.len() == 37 && rest.ends_with('/') && Uuid::parse_str(&rest[..36]).is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scope::child_path;

    #[test]
    fn hashes_are_stable_and_the_sum_ignores_order() {
        let id = Uuid::parse_str("0190f3b4-1234-7abc-8def-0123456789ab").expect("uuid");
        // A fixed vector any client can check its own implementation against.
        assert_eq!(record_hash("client", id, 3), 0x2646_5f08_df7c_d896);
        let h = record_hash("client", id, 3);
        assert_ne!(h, record_hash("client", id, 4));
        assert_ne!(h, record_hash("case", id, 3));
        let a = checksum([h, 7, u64::MAX]);
        let b = checksum([u64::MAX, h, 7]);
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert_eq!(checksum([]), "0000000000000000");
        assert_eq!(checksum([u64::MAX, 2]), "0000000000000001");
    }

    #[test]
    fn contact_is_shown_in_the_own_unit_and_the_rooms_beneath() {
        let county = child_path(None, Uuid::now_v7());
        let township = child_path(Some(&county), Uuid::now_v7());
        let village = child_path(Some(&township), Uuid::now_v7());
        let deeper = child_path(Some(&village), Uuid::now_v7());
        let other = child_path(Some(&county), Uuid::now_v7());
        assert!(contact_shown(&township, &township));
        assert!(contact_shown(&township, &village));
        assert!(!contact_shown(&township, &deeper));
        assert!(!contact_shown(&township, &other));
        assert!(!contact_shown(&township, &county));
        assert!(contact_shown(&county, &township));
        assert!(!contact_shown(&county, &village));
    }
}
