//! The two database roles. The owner runs the migrations, which create the group role
//! [`APP_GROUP`] holding the application's privileges (migration `…000021_app_role`); the server
//! signs in as a login role that is a member of that group and owns nothing. README, "Database
//! roles".

use anyhow::Context;
use tokio_postgres::{error::SqlState, Client, NoTls};

/// The group role holding the application's privileges (made by the migrations).
pub const APP_GROUP: &str = "shegong_app";

/// What the login role of `DATABASE_URL` is to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppLogin {
    /// A member of [`APP_GROUP`], made now or before: the server has the application's
    /// privileges only.
    Member(String),
    /// The owner itself (one URL for both): the server has the owner's privileges.
    Owner(String),
    /// A superuser: the server has every privilege. It is left as it is.
    Superuser(String),
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.context("connecting as the owner")?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Makes sure the login role named in `app_url` exists (created with the URL's password, if any)
/// and is a member of [`APP_GROUP`], connecting through `owner_url`. Nothing is made when that
/// role is the owner or a superuser. Safe while other databases of the cluster do the same at
/// once: roles belong to the cluster.
pub async fn ensure_app_login(owner_url: &str, app_url: &str) -> anyhow::Result<AppLogin> {
    let app: tokio_postgres::Config = app_url.parse().context("DATABASE_URL")?;
    let user = app.get_user().context("DATABASE_URL names no user")?.to_owned();
    let password = app.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
    let owner = connect(owner_url).await?;
    let me: String = owner.query_one("SELECT current_user::text", &[]).await?.get(0);
    if me == user {
        return Ok(AppLogin::Owner(user));
    }
    let mut attempt = 0;
    loop {
        match make_member(&owner, &user, password.as_deref()).await {
            Ok(login) => return Ok(login),
            // Another migration made the role or the membership between our look and our act.
            Err(e) if attempt < 5 && lost_a_race(&e) => attempt += 1,
            Err(e) => return Err(e).with_context(|| format!("making `{user}` a member of `{APP_GROUP}`")),
        }
    }
}

async fn make_member(owner: &Client, user: &str, password: Option<&str>) -> Result<AppLogin, tokio_postgres::Error> {
    let found = owner
        .query_opt(
            "SELECT rolsuper, pg_has_role(oid, $2::text, 'MEMBER') FROM pg_roles WHERE rolname = $1::text",
            &[&user, &APP_GROUP],
        )
        .await?;
    let statement = match found {
        Some(row) if row.get::<_, bool>(0) => return Ok(AppLogin::Superuser(user.to_owned())),
        Some(row) if row.get::<_, bool>(1) => return Ok(AppLogin::Member(user.to_owned())),
        // `%L` of no password is `NULL`, which is what `PASSWORD NULL` means.
        None => {
            "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS \
                 INHERIT PASSWORD %L IN ROLE %I', $1::text, $2::text, $3::text)"
        }
        Some(_) => "SELECT format('GRANT %3$I TO %1$I', $1::text, $2::text, $3::text)",
    };
    let sql: String = owner.query_one(statement, &[&user, &password, &APP_GROUP]).await?.get(0);
    owner.batch_execute(&sql).await?;
    Ok(AppLogin::Member(user.to_owned()))
}

fn lost_a_race(e: &tokio_postgres::Error) -> bool {
    let code = e.code();
    code == Some(&SqlState::DUPLICATE_OBJECT)
        || code == Some(&SqlState::UNIQUE_VIOLATION)
        // "tuple concurrently updated" on the catalogs.
        || code == Some(&SqlState::INTERNAL_ERROR)
}
