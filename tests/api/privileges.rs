//! Least privilege (QUALITY.md 14): the server's database role can append to the audit log and
//! read it, and nothing else; no route through SQL lets it change or remove an audit row, because
//! it lacks the privilege (not because a trigger stops it). The rest of the suite runs every
//! test server as this role, which proves its privileges are enough.

use tokio_postgres::Client;

use crate::helpers::{
    db::{url_as, APP_USER},
    TestApp,
};

/// The SQLSTATE of `sql` run as `conn`'s role, which must fail.
async fn refused(conn: &Client, sql: &str) -> String {
    match conn.batch_execute(sql).await {
        Ok(()) => panic!("`{sql}` succeeded as the application's role"),
        Err(e) => e.code().map(|c| c.code().to_owned()).unwrap_or_else(|| panic!("`{sql}` failed without a SQLSTATE: {e}")),
    }
}

const INSUFFICIENT_PRIVILEGE: &str = "42501";

async fn strings(conn: &Client, sql: &str) -> Vec<String> {
    conn.query(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}")).iter().map(|r| r.get::<_, String>(0)).collect()
}

async fn flag(conn: &Client, sql: &str) -> bool {
    conn.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
}

#[actix_web::test]
async fn the_application_role_cannot_change_or_remove_an_audit_row_by_any_route() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    // A sign-in leaves an audit row, written by the server as its role.
    app.token("admin_root").await;
    let snapshot = "SELECT (count(*) * 1000003 + sum(hashtext(a::text)))::bigint FROM audit_events a";
    let before = app.sql_i64(snapshot).await;
    assert!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'auth.login'").await >= 1);

    let conn = app.db.connect_as_app().await;
    let me: String = conn.query_one("SELECT current_user::text", &[]).await.expect("whoami").get(0);
    assert_eq!(me, APP_USER, "the test connects as the server's role");
    // It reads and appends.
    assert!(flag(&conn, "SELECT count(*) > 0 FROM audit_events").await);

    for sql in [
        "UPDATE audit_events SET action = 'rewritten'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        // Triggers off for the session, then delete: only a superuser may set this.
        "SET session_replication_role = replica",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
        "DROP TRIGGER audit_events_no_update ON audit_events",
        // Or make the trigger's function let everything through.
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
        "ALTER FUNCTION audit_events_append_only() RENAME TO gone",
        "ALTER TABLE audit_events RENAME TO audit_events_old",
        "ALTER TABLE audit_events OWNER TO CURRENT_USER",
        "DROP TABLE audit_events",
        // A new table in the schema to swap in: nobody but the owner creates there.
        "CREATE TABLE audit_events_copy (id uuid)",
    ] {
        assert_eq!(refused(&conn, sql).await, INSUFFICIENT_PRIVILEGE, "`{sql}`");
    }
    // Nor does it take on the owner's privileges.
    let owner = app.db.query_text("SELECT current_user::text").await;
    assert_eq!(refused(&conn, &format!("SET ROLE \"{owner}\"")).await, INSUFFICIENT_PRIVILEGE);
    // Granting itself what it lacks does nothing (PostgreSQL only warns).
    conn.batch_execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER").await.expect("a warning, no error");
    assert!(!flag(&conn, "SELECT has_table_privilege('audit_events', 'UPDATE')").await);

    // Every table: never dropped, altered, its triggers disabled or emptied wholesale.
    let tables = strings(&conn, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").await;
    assert!(tables.len() > 30, "{tables:?}");
    for table in &tables {
        for sql in [
            format!("DROP TABLE {table}"),
            format!("ALTER TABLE {table} ADD COLUMN sneaky integer"),
            format!("ALTER TABLE {table} DISABLE TRIGGER ALL"),
            format!("TRUNCATE {table}"),
        ] {
            assert_eq!(refused(&conn, &sql).await, INSUFFICIENT_PRIVILEGE, "`{sql}`");
        }
    }
    assert_eq!(app.sql_i64(snapshot).await, before, "the audit log is as it was");
}

#[actix_web::test]
async fn the_application_role_is_no_superuser_owns_nothing_and_may_not_change_append_only_records() {
    let app = TestApp::spawn().await;
    let conn = app.db.connect_as_app().await;
    let attributes = conn
        .query_one(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin \
             FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .expect("pg_roles");
    let attributes: Vec<bool> = (0..6).map(|i| attributes.get(i)).collect();
    assert_eq!(
        attributes,
        [false, false, false, false, false, true],
        "superuser, createrole, createdb, replication, bypassrls, login"
    );
    // Its only role is the application's group, which has no other role either.
    assert_eq!(
        strings(
            &conn,
            "SELECT rolname::text FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER') AND rolname <> current_user"
        )
        .await,
        ["shegong_app"]
    );
    // It owns nothing: no relation, function, type or schema, nor the database.
    let owned = "IN (SELECT oid FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER'))";
    for sql in [
        format!("SELECT count(*) FROM pg_class WHERE relowner {owned}"),
        format!("SELECT count(*) FROM pg_proc WHERE proowner {owned}"),
        format!("SELECT count(*) FROM pg_type WHERE typowner {owned}"),
        format!("SELECT count(*) FROM pg_namespace WHERE nspowner {owned}"),
        format!("SELECT count(*) FROM pg_database WHERE datname = current_database() AND datdba {owned}"),
    ] {
        let n: i64 = conn.query_one(&sql, &[]).await.expect("count").get(0);
        assert_eq!(n, 0, "{sql}");
    }

    // The audit log: read and append only.
    for (privilege, held) in
        [("SELECT", true), ("INSERT", true), ("UPDATE", false), ("DELETE", false), ("TRUNCATE", false), ("TRIGGER", false)]
    {
        let sql = format!("SELECT has_table_privilege('audit_events', '{privilege}')");
        assert_eq!(flag(&conn, &sql).await, held, "{privilege} on audit_events");
    }
    // Every table an append-only trigger guards is also append-only by privilege.
    let guarded = strings(
        &conn,
        "SELECT DISTINCT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
         JOIN pg_proc p ON p.oid = t.tgfoid \
         WHERE p.proname IN ('audit_events_append_only', 'casework_append_only') ORDER BY 1",
    )
    .await;
    assert_eq!(
        guarded,
        [
            "assessments",
            "audit_events",
            "case_events",
            "case_transfers",
            "evaluation_goal_results",
            "evaluations",
            "service_plans"
        ]
    );
    for table in
        guarded.iter().map(String::as_str).chain(["sync_mutations", "server_secrets", "plan_goals", "audit_event_clients"])
    {
        for privilege in ["UPDATE", "DELETE"] {
            let sql = format!("SELECT has_table_privilege('{table}', '{privilege}')");
            assert!(!flag(&conn, &sql).await, "{privilege} on {table}");
        }
        assert_eq!(refused(&conn, &format!("DELETE FROM {table}")).await, INSUFFICIENT_PRIVILEGE, "DELETE FROM {table}");
    }
    // A plan goal's status changes with its evaluations; nothing else of it does.
    assert!(flag(&conn, "SELECT has_column_privilege('plan_goals', 'status', 'UPDATE')").await);
    assert!(!flag(&conn, "SELECT has_column_privilege('plan_goals', 'description', 'UPDATE')").await);
    assert_eq!(refused(&conn, "UPDATE plan_goals SET description = 'x'").await, INSUFFICIENT_PRIVILEGE);
    // No table of the schema lets it empty it wholesale, reference it or attach triggers.
    let extra: i64 = conn
        .query_one(
            "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') \
             AND (has_table_privilege(c.oid, 'TRUNCATE') OR has_table_privilege(c.oid, 'REFERENCES') \
              OR has_table_privilege(c.oid, 'TRIGGER'))",
            &[],
        )
        .await
        .expect("privileges")
        .get(0);
    assert_eq!(extra, 0);
}

#[actix_web::test]
async fn what_a_later_migration_creates_is_usable_by_the_application_role() {
    let app = TestApp::spawn().await;
    // As the owner who ran the migrations, as a later migration would.
    app.sql(
        "CREATE TABLE later_things (id bigserial PRIMARY KEY, note text NOT NULL); \
         CREATE FUNCTION later_double(n integer) RETURNS integer LANGUAGE sql AS 'SELECT 2 * n'",
    )
    .await;
    let conn = app.db.connect_as_app().await;
    let id: i64 =
        conn.query_one("INSERT INTO later_things (note) VALUES ('new') RETURNING id", &[]).await.expect("insert").get(0);
    conn.batch_execute(&format!("UPDATE later_things SET note = 'changed' WHERE id = {id}")).await.expect("update");
    let doubled: i32 = conn.query_one("SELECT later_double(21)", &[]).await.expect("execute").get(0);
    assert_eq!(doubled, 42);
    conn.batch_execute(&format!("DELETE FROM later_things WHERE id = {id}")).await.expect("delete");
    // Still not its own.
    assert_eq!(refused(&conn, "TRUNCATE later_things").await, INSUFFICIENT_PRIVILEGE);
    assert_eq!(refused(&conn, "DROP TABLE later_things").await, INSUFFICIENT_PRIVILEGE);
}

#[actix_web::test]
async fn migrating_makes_the_servers_login_role_once_even_when_many_databases_migrate_at_once() {
    let app = TestApp::spawn().await;
    let user = format!("shegong_t_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let app_url = url_as(&app.db.name, &user, "Pass-Of-The-Test-Role");
    // Roles belong to the cluster: several migrations at once must all succeed.
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (owner, app_url) = (app.db.url.clone(), app_url.clone());
            actix_web::rt::spawn(async move { shegong::db::roles::ensure_app_login(&owner, &app_url).await })
        })
        .collect();
    for task in tasks {
        let login = task.await.expect("task").expect("the login role");
        assert_eq!(login, shegong::db::roles::AppLogin::Member(user.clone()));
    }
    let made = app
        .sql_i64(&format!(
            "SELECT count(*) FROM pg_authid WHERE rolname = '{user}' AND rolcanlogin AND NOT rolsuper AND NOT rolcreaterole \
             AND NOT rolcreatedb AND rolpassword IS NOT NULL AND pg_has_role(oid, 'shegong_app', 'MEMBER')"
        ))
        .await;
    assert_eq!(made, 1);
    // It signs in and has the application's privileges.
    let (client, connection) = tokio_postgres::connect(&app_url, tokio_postgres::NoTls).await.expect("sign in");
    actix_web::rt::spawn(connection);
    assert!(flag(&client, "SELECT has_table_privilege('audit_events', 'INSERT')").await);
    assert!(!flag(&client, "SELECT has_table_privilege('audit_events', 'DELETE')").await);
    drop(client);

    // One URL for both: nothing is made, and the caller is told (the server warns).
    let owner = app.db.query_text("SELECT current_user::text").await;
    assert_eq!(
        shegong::db::roles::ensure_app_login(&app.db.url, &app.db.url).await.expect("owner"),
        shegong::db::roles::AppLogin::Owner(owner)
    );
    // Both URLs must name one database.
    let elsewhere = url_as("another_database", &user, "x");
    assert!(shegong::db::migrate(&app.db.url, &elsewhere).await.is_err());
    app.sql(&format!("DROP ROLE {user}")).await;
}
