//! Demo data and the first administrator.
//!
//! The demo hierarchy is Ningxia's real one (`seeds/ningxia-hierarchy.json`): the region centre,
//! its five city centres and 22 county centres, Zhongwei's townships, and a few village rooms
//! with plausible names. Demo users of every role are listed in `seeds/README.md`.

use anyhow::Context;
use scoped_futures::ScopedFutureExt;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{password::hash_blocking, scope::child_path};
use crate::db::{
    models::{NewOrgUnit, NewUser, OrgUnit},
    repo, Conn,
};
use crate::domain::enums::{Certification, Role, Tier, UnitStatus};
use crate::state::AppState;

const HIERARCHY: &str = include_str!("../seeds/ningxia-hierarchy.json");

/// Password of the demo administrator `admin`.
pub const DEMO_ADMIN_PASSWORD: &str = "Shegong-Admin-2026";
/// Clients in the demo data.
const DEMO_CLIENTS: i64 = 300;
/// Share of the clients (percent) on a roster, in the demo and the benchmark data.
const ROSTER_SHARE: i32 = 33;

/// Password of every user the large benchmark data set creates.
pub const SCALE_PASSWORD: &str = "Bench-Pass-2026";

/// Password of every other demo user.
pub const DEMO_PASSWORD: &str = "Shegong-Demo-2026";

#[derive(Deserialize)]
struct Hierarchy {
    root: Named,
    cities: Vec<City>,
}
#[derive(Deserialize)]
struct Named {
    name: String,
    division_code: Option<String>,
}
#[derive(Deserialize)]
struct City {
    name: String,
    division_code: String,
    counties: Vec<County>,
}
#[derive(Deserialize)]
struct County {
    name: String,
    code: String,
    #[serde(default)]
    townships: Vec<String>,
}

/// Villages given to the demo townships that have workers.
const VILLAGES: &[(&str, &[&str])] = &[
    ("滨河镇", &["黄河村", "新墩村", "鼓楼社区"]),
    ("文昌镇", &["文萃社区", "杨桥村"]),
    ("宁安镇", &["宁安村", "古城社区"]),
    ("石空镇", &["石空村", "枣园村"]),
];

async fn add_unit(
    conn: &mut Conn,
    parent: Option<&OrgUnit>,
    tier: Tier,
    name: String,
    division_code: Option<String>,
) -> anyhow::Result<OrgUnit> {
    let id = Uuid::now_v7();
    let unit = NewOrgUnit {
        id,
        parent_id: parent.map(|p| p.id),
        tier,
        name,
        division_code,
        address: None,
        phone: None,
        status: UnitStatus::Active,
        path: child_path(parent.map(|p| p.path.as_str()), id),
        depth: parent.map(|p| p.depth + 1).unwrap_or(0),
    };
    Ok(repo::org_units::insert(conn, &unit).await?)
}

/// A demo user to create: (username, display name, unit name, role, certification).
type DemoUser = (&'static str, &'static str, &'static str, Role, Certification);

const DEMO_USERS: &[DemoUser] = &[
    ("admin", "系统管理员", "宁夏回族自治区社会工作指导中心", Role::Admin, Certification::None),
    ("zw_admin", "中卫市管理员", "中卫市社会工作指导中心", Role::Admin, Certification::None),
    ("spt_supervisor", "马春梅", "沙坡头区社会工作服务指导中心", Role::Supervisor, Certification::Senior),
    ("zn_supervisor", "杨建国", "中宁县社会工作服务指导中心", Role::Supervisor, Certification::Intermediate),
    ("bhz_supervisor", "李秀兰", "滨河镇社会工作服务站", Role::Supervisor, Certification::Intermediate),
    ("bhz_worker", "王芳", "滨河镇社会工作服务站", Role::Worker, Certification::Assistant),
    ("bhz_worker2", "海小龙", "滨河镇社会工作服务站", Role::Worker, Certification::None),
    ("wcz_worker", "张丽", "文昌镇社会工作服务站", Role::Worker, Certification::Assistant),
    ("nax_worker", "马文军", "宁安镇社会工作服务站", Role::Worker, Certification::Intermediate),
    ("skz_worker", "田静", "石空镇社会工作服务站", Role::Worker, Certification::Assistant),
];

/// Seeds the demo hierarchy and users; does nothing when a hierarchy already exists.
pub async fn demo(state: &AppState) -> anyhow::Result<bool> {
    let hierarchy: Hierarchy = serde_json::from_str(HIERARCHY).context("parsing seeds/ningxia-hierarchy.json")?;
    let (admin_hash, demo_hash) = tokio::task::spawn_blocking(|| -> anyhow::Result<(String, String)> {
        Ok((hash_blocking(DEMO_ADMIN_PASSWORD)?, hash_blocking(DEMO_PASSWORD)?))
    })
    .await??;
    let mut conn = state.conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::db::transaction::<bool, anyhow::Error, _>(&mut conn, |conn| {
        async move {
            if repo::org_units::root(conn).await?.is_some() {
                return Ok(false);
            }
            let mut units: Vec<OrgUnit> = Vec::new();
            let root = add_unit(conn, None, Tier::Center, hierarchy.root.name, hierarchy.root.division_code).await?;
            units.push(root.clone());
            for city in hierarchy.cities {
                let city_unit = add_unit(conn, Some(&root), Tier::Center, city.name, Some(city.division_code)).await?;
                units.push(city_unit.clone());
                for county in city.counties {
                    let county_unit = add_unit(
                        conn,
                        Some(&city_unit),
                        Tier::County,
                        format!("{}社会工作服务指导中心", county.name),
                        Some(format!("{}000000", county.code)),
                    )
                    .await?;
                    units.push(county_unit.clone());
                    for township in county.townships {
                        let t =
                            add_unit(conn, Some(&county_unit), Tier::Township, format!("{township}社会工作服务站"), None).await?;
                        units.push(t.clone());
                        if let Some((_, villages)) = VILLAGES.iter().find(|(name, _)| *name == township) {
                            for v in *villages {
                                let v = add_unit(conn, Some(&t), Tier::Village, format!("{v}社会工作服务室"), None).await?;
                                units.push(v);
                            }
                        }
                    }
                }
            }
            for (username, display, unit_name, role, cert) in DEMO_USERS {
                let unit = units.iter().find(|u| u.name == *unit_name).with_context(|| format!("demo unit {unit_name}"))?;
                let hash = if *username == "admin" { admin_hash.clone() } else { demo_hash.clone() };
                repo::users::insert(
                    conn,
                    &NewUser {
                        id: Uuid::now_v7(),
                        username: (*username).to_owned(),
                        display_name: (*display).to_owned(),
                        phone: None,
                        org_unit_id: unit.id,
                        role: *role,
                        certification: *cert,
                        is_active: true,
                        password_hash: hash,
                    },
                )
                .await?;
            }
            crate::db::bulk::clients(conn, DEMO_CLIENTS).await?;
            crate::db::bulk::activities(conn).await?;
            crate::db::bulk::cases(conn, 40).await?;
            crate::db::bulk::fieldwork(conn, ROSTER_SHARE).await?;
            tracing::info!(units = units.len(), users = DEMO_USERS.len(), clients = DEMO_CLIENTS, "seeded the demo data");
            Ok(true)
        }
        .scope_boxed_local()
    })
    .await
}

/// Creates (or resets the password of) an administrator at the root unit; creates a root
/// `center` named `unit_name` when the deployment has none.
pub async fn create_admin(state: &AppState, username: &str, password: &str, unit_name: &str) -> anyhow::Result<Uuid> {
    let errors = crate::auth::password::check_policy("password", password, Some(username));
    if let Some(e) = errors.first() {
        anyhow::bail!("{}: {}", e.field, e.message.en);
    }
    let hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await??
    };
    let username = username.to_owned();
    let unit_name = unit_name.to_owned();
    let mut conn = state.conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::db::transaction::<Uuid, anyhow::Error, _>(&mut conn, |conn| {
        async move {
            let root = match repo::org_units::root(conn).await? {
                Some(root) => root,
                None => add_unit(conn, None, Tier::Center, unit_name, None).await?,
            };
            if let Some(c) = repo::users::find_credentials(conn, &username).await? {
                let changes = crate::db::models::UserChanges {
                    role: Some(Role::Admin),
                    org_unit_id: Some(root.id),
                    is_active: Some(true),
                    ..Default::default()
                };
                let user = repo::users::find(conn, c.id).await?.context("user vanished")?;
                repo::users::update(conn, c.id, user.version, &changes, true).await?;
                repo::users::set_password(conn, c.id, &hash).await?;
                repo::users::revoke_sessions(conn, c.id, None).await?;
                return Ok(c.id);
            }
            let id = Uuid::now_v7();
            repo::users::insert(
                conn,
                &NewUser {
                    id,
                    username: username.clone(),
                    display_name: username,
                    phone: None,
                    org_unit_id: root.id,
                    role: Role::Admin,
                    certification: Certification::None,
                    is_active: true,
                    password_hash: hash,
                },
            )
            .await?;
            Ok(id)
        }
        .scope_boxed_local()
    })
    .await
}

/// The large data set for benchmarks: the demo data, then every county filled with townships,
/// villages and staff, then `clients` more clients. Set-based; a million clients take minutes.
pub async fn scale(state: &AppState, clients: i64) -> anyhow::Result<()> {
    demo(state).await?;
    let hash = tokio::task::spawn_blocking(|| hash_blocking(SCALE_PASSWORD)).await??;
    let mut conn = state.conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = std::time::Instant::now();
    crate::db::bulk::units_and_users(&mut conn, &hash).await?;
    tracing::info!(elapsed = ?started.elapsed(), "units and users");
    crate::db::bulk::clients(&mut conn, clients).await?;
    tracing::info!(elapsed = ?started.elapsed(), clients, "clients");
    crate::db::bulk::activities(&mut conn).await?;
    tracing::info!(elapsed = ?started.elapsed(), "group and community work");
    crate::db::bulk::cases(&mut conn, 30).await?;
    tracing::info!(elapsed = ?started.elapsed(), "cases and individual sessions");
    crate::db::bulk::fieldwork(&mut conn, ROSTER_SHARE).await?;
    tracing::info!(elapsed = ?started.elapsed(), "rosters and visits");
    crate::db::bulk::analyze(&mut conn).await?;
    tracing::info!(elapsed = ?started.elapsed(), "analyzed");
    Ok(())
}
