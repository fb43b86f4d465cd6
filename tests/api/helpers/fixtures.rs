//! The standard fixture: a four-tier tree with two branches, and users of every role.
//!
//! ```text
//! root (center)            admin_root
//! ├── county_a             admin_a, sup_a
//! │   ├── town_a1          sup_a1, worker_a1, worker_a1b
//! │   │   └── village_a1   worker_v_a1
//! │   └── town_a2          worker_a2
//! └── county_b             admin_b, sup_b
//!     ├── town_b1          worker_b1
//!     │   └── village_b1
//!     └── town_b2
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use shegong::auth::{password::hash_blocking, scope::child_path};
use shegong::db::{
    models::{NewOrgUnit, NewUser, OrgUnit},
    repo,
};
use shegong::domain::enums::{Certification, Role, Tier, UnitStatus};
use uuid::Uuid;

use super::TestApp;

/// Password of every fixture user.
pub const PASSWORD: &str = "Fixture-Pass-2026";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_blocking(PASSWORD).expect("hash"))
}

/// Ids of the fixture's units and users.
pub struct Fixture {
    pub units: HashMap<&'static str, Uuid>,
    pub users: HashMap<&'static str, Uuid>,
    /// Records a test made on top of the fixture, by name.
    pub extra: HashMap<&'static str, Uuid>,
}

impl Fixture {
    pub fn unit(&self, name: &str) -> Uuid {
        self.units[name]
    }
    pub fn user(&self, name: &str) -> Uuid {
        self.users[name]
    }
}

const UNITS: &[(&str, Option<&str>, Tier)] = &[
    ("root", None, Tier::Center),
    ("county_a", Some("root"), Tier::County),
    ("county_b", Some("root"), Tier::County),
    ("town_a1", Some("county_a"), Tier::Township),
    ("town_a2", Some("county_a"), Tier::Township),
    ("town_b1", Some("county_b"), Tier::Township),
    ("town_b2", Some("county_b"), Tier::Township),
    ("village_a1", Some("town_a1"), Tier::Village),
    ("village_b1", Some("town_b1"), Tier::Village),
];

const USERS: &[(&str, &str, Role)] = &[
    ("admin_root", "root", Role::Admin),
    ("admin_a", "county_a", Role::Admin),
    ("sup_a", "county_a", Role::Supervisor),
    ("sup_a1", "town_a1", Role::Supervisor),
    ("worker_a1", "town_a1", Role::Worker),
    ("worker_a1b", "town_a1", Role::Worker),
    ("worker_v_a1", "village_a1", Role::Worker),
    ("worker_a2", "town_a2", Role::Worker),
    ("admin_b", "county_b", Role::Admin),
    ("sup_b", "county_b", Role::Supervisor),
    ("worker_b1", "town_b1", Role::Worker),
];

impl TestApp {
    /// Builds the standard fixture in this app's database.
    pub async fn fixture(&self) -> Fixture {
        let hash = tokio::task::spawn_blocking(|| password_hash().to_owned()).await.expect("hash");
        let mut conn = self.state.conn().await.expect("conn");
        let mut units: HashMap<&'static str, OrgUnit> = HashMap::new();
        for (name, parent, tier) in UNITS {
            let parent = parent.map(|p| units[p].clone());
            let id = Uuid::now_v7();
            let unit = repo::org_units::insert(
                &mut conn,
                &NewOrgUnit {
                    id,
                    parent_id: parent.as_ref().map(|p| p.id),
                    tier: *tier,
                    name: format!("{name} 社会工作站"),
                    division_code: None,
                    address: None,
                    phone: None,
                    status: UnitStatus::Active,
                    path: child_path(parent.as_ref().map(|p| p.path.as_str()), id),
                    depth: parent.as_ref().map(|p| p.depth + 1).unwrap_or(0),
                },
            )
            .await
            .expect("unit");
            units.insert(name, unit);
        }
        let mut users = HashMap::new();
        for (name, unit, role) in USERS {
            let id = Uuid::now_v7();
            repo::users::insert(
                &mut conn,
                &NewUser {
                    id,
                    username: (*name).to_owned(),
                    display_name: format!("{name} 姓名"),
                    phone: None,
                    org_unit_id: units[unit].id,
                    role: *role,
                    certification: Certification::None,
                    is_active: true,
                    password_hash: hash.clone(),
                },
            )
            .await
            .expect("user");
            users.insert(*name, id);
        }
        Fixture { units: units.into_iter().map(|(k, v)| (k, v.id)).collect(), users, extra: HashMap::new() }
    }
}
