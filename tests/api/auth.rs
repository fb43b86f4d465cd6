//! Authentication (QUALITY 8–13): forged and stale tokens, refresh rotation, sessions ending on
//! password change, disabling and reset, moves taking effect at once, login throttling, equal
//! answers for unknown users and wrong passwords, the password policy and hash format, and the
//! audit trail of logins.

use std::time::{Duration, Instant};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{fixtures::PASSWORD, test_config, Options, Res, TestApp};

const ME: &str = "/api/v1/me";

/// The secret the test servers sign with.
fn secret() -> String {
    test_config("postgres://unused/x", &Options::default()).jwt_secret.expect("the tests configure a secret")
}

/// Claims exactly as the server issues them, for `user`.
fn good_claims(user: Uuid) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": "shegong", "aud": "shegong-api", "sub": user,
        "exp": now + 600, "nbf": now - 1, "iat": now - 1,
        "typ": "access", "ver": 0, "sid": Uuid::now_v7(),
    })
}

fn sign(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).expect("sign")
}

fn hs256(claims: &Value) -> String {
    sign(Algorithm::HS256, claims, secret().as_bytes())
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

async fn me_with(app: &TestApp, token: &str) -> Res {
    app.send(Method::GET, ME, Some(token), None, &[]).await
}

async fn login(app: &TestApp, username: &str, password: &str) -> Res {
    app.send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": username, "password": password})), &[]).await
}

async fn refresh(app: &TestApp, token: &str) -> Res {
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&json!({"refresh_token": token})), &[]).await
}

fn field_codes(res: &Res) -> Vec<(String, String)> {
    res.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")).to_owned()
}

#[actix_web::test]
async fn forged_stale_and_wrong_kind_tokens_are_401() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let user = f.user("worker_a1");
    let claims = good_claims(user);

    // The forgery kit makes a token the server accepts, so every refusal below is about the one
    // thing changed.
    let good = hs256(&claims);
    let res = me_with(&app, &good).await.expect(200);
    assert_eq!(res.body["user"]["id"], json!(user));

    let mut cases: Vec<(String, String)> = Vec::new();
    let mut add = |what: &str, token: String| cases.push((what.to_owned(), token));

    // alg: none, with and without a trailing signature part.
    let none_header = json!({"alg": "none", "typ": "JWT"});
    add("alg none", format!("{}.{}.", b64(&none_header), b64(&claims)));
    add("alg none, no signature part", format!("{}.{}", b64(&none_header), b64(&claims)));
    let none_lower = json!({"alg": "None", "typ": "JWT"});
    add("alg None", format!("{}.{}.", b64(&none_lower), b64(&claims)));

    // Another key; other algorithms with the right secret.
    add("another key", sign(Algorithm::HS256, &claims, b"another-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
    add("HS512 with the right secret", sign(Algorithm::HS512, &claims, secret().as_bytes()));
    add("HS384 with the right secret", sign(Algorithm::HS384, &claims, secret().as_bytes()));

    // A tampered payload under the original signature: another user, then a later expiry.
    let parts: Vec<&str> = good.split('.').collect();
    let mut other = claims.clone();
    other["sub"] = json!(f.user("admin_root"));
    add("tampered sub", format!("{}.{}.{}", parts[0], b64(&other), parts[2]));
    let mut padded = claims.clone();
    padded["exp"] = json!(claims["exp"].as_i64().expect("exp") + 86_400);
    add("tampered exp", format!("{}.{}.{}", parts[0], b64(&padded), parts[2]));
    // The signature covers the header too: a rewritten header fails even with the same alg.
    add("tampered header", format!("{}.{}.{}", b64(&json!({"alg": "HS256"})), parts[1], parts[2]));

    let now = chrono::Utc::now().timestamp();
    let with = |key: &str, value: Value| {
        let mut c = claims.clone();
        c[key] = value;
        hs256(&c)
    };
    add("expired", {
        let mut c = claims.clone();
        c["exp"] = json!(now - 60);
        c["iat"] = json!(now - 960);
        c["nbf"] = json!(now - 960);
        hs256(&c)
    });
    add("nbf in the future", with("nbf", json!(now + 120)));
    add("wrong iss", with("iss", json!("someone-else")));
    add("wrong aud", with("aud", json!("another-api")));
    add("aud list without ours", with("aud", json!(["another-api"])));
    add("typ refresh", with("typ", json!("refresh")));
    add("stale token version", with("ver", json!(7)));
    add("unknown user", with("sub", json!(Uuid::now_v7())));
    for claim in ["exp", "nbf", "iat", "iss", "aud", "sub", "typ", "ver", "sid"] {
        let mut c = claims.clone();
        c.as_object_mut().expect("object").remove(claim);
        add(&format!("missing {claim}"), hs256(&c));
    }

    // A real refresh token presented as an access token.
    let session = app.login_full("worker_a1", PASSWORD).await;
    add("refresh token as access token", str_of(&session, "refresh_token"));
    add("empty", String::new());

    let reference = app.send(Method::GET, ME, None, None, &[]).await.expect(401);
    for (what, token) in &cases {
        let res = me_with(&app, token).await;
        assert_eq!(res.status.as_u16(), 401, "{what}: {}", res.text);
        assert_eq!(res.text, reference.text, "{what}: every bad token gets the same answer");
        assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"), "{what}");
    }
    // The refresh token was not spent or harmed by being shown as an access token.
    refresh(&app, &str_of(&session, "refresh_token")).await.expect(200);
    // And the real access token still works after all of that.
    me_with(&app, &str_of(&session, "access_token")).await.expect(200);
}

#[actix_web::test]
async fn refresh_rotates_forgives_a_lost_response_and_revokes_a_reused_family() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let first = app.login_full("worker_a1", PASSWORD).await;
    let other_session = app.login_full("worker_a1", PASSWORD).await;
    let r1 = str_of(&first, "refresh_token");

    let second = refresh(&app, &r1).await.expect(200);
    let r2 = str_of(&second.body, "refresh_token");
    assert_ne!(r2, r1);
    assert_eq!(second.body["token_type"], "Bearer");
    assert_eq!(second.body["user"]["id"], json!(f.user("worker_a1")));
    me_with(&app, &str_of(&second.body, "access_token")).await.expect(200);

    // The phone lost the answer and sends R1 again at once: the same R2, not an attack.
    let again = refresh(&app, &r1).await.expect(200);
    assert_eq!(str_of(&again.body, "refresh_token"), r2);
    me_with(&app, &str_of(&again.body, "access_token")).await.expect(200);

    let third = refresh(&app, &r2).await.expect(200);
    let r3 = str_of(&third.body, "refresh_token");
    assert!(r3 != r1 && r3 != r2);

    // R1 once more, now that its successor has been used: refused, and the family is dead.
    refresh(&app, &r1).await.expect(401);
    refresh(&app, &r3).await.expect(401);
    refresh(&app, &r2).await.expect(401);
    let family = app
        .sql_i64(&format!("SELECT count(*) FROM refresh_tokens WHERE user_id = '{}' AND revoked_at IS NULL", f.user("worker_a1")))
        .await;
    assert_eq!(family, 1, "only the other session's token is still alive");
    let reuse = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.refresh_reuse' AND outcome = 'denied' AND user_id = '{}'",
            f.user("worker_a1")
        ))
        .await;
    assert_eq!(reuse, 1);

    // The user's other session is untouched.
    refresh(&app, &str_of(&other_session, "refresh_token")).await.expect(200);

    // Tokens the server never made: refused without touching anything.
    refresh(&app, "not-a-token").await.expect(401);
    refresh(&app, &format!("{}.AAAA", Uuid::now_v7().simple())).await.expect(401);
}

#[actix_web::test]
async fn logout_revokes_only_the_callers_own_session() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let mine = app.login_full("worker_a1", PASSWORD).await;
    let kept = app.login_full("worker_a1", PASSWORD).await;
    let access = str_of(&mine, "access_token");
    let r = str_of(&mine, "refresh_token");

    // Someone else cannot end my session with my refresh token.
    let stranger = app.token("worker_a1b").await;
    app.send(Method::POST, "/api/v1/auth/logout", Some(&stranger), Some(&json!({"refresh_token": r})), &[]).await.expect(204);
    let rotated = refresh(&app, &r).await.expect(200);
    let r = str_of(&rotated.body, "refresh_token");

    // Logging out needs a token.
    app.send(Method::POST, "/api/v1/auth/logout", None, Some(&json!({"refresh_token": r})), &[]).await.expect(401);

    app.send(Method::POST, "/api/v1/auth/logout", Some(&access), Some(&json!({"refresh_token": r})), &[]).await.expect(204);
    refresh(&app, &r).await.expect(401);
    // The other session goes on.
    refresh(&app, &str_of(&kept, "refresh_token")).await.expect(200);
}

#[actix_web::test]
async fn password_change_ends_old_tokens_and_other_sessions() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let s1 = app.login_full("worker_a1", PASSWORD).await;
    let s2 = app.login_full("worker_a1", PASSWORD).await;
    let (a1, r1) = (str_of(&s1, "access_token"), str_of(&s1, "refresh_token"));
    let (a2, r2) = (str_of(&s2, "access_token"), str_of(&s2, "refresh_token"));
    me_with(&app, &a2).await.expect(200);

    // A wrong current password changes nothing.
    let res = app
        .post("/api/v1/me/password", &a1, json!({"current_password": "wrong-password-x", "new_password": "新的长期密码-2026"}))
        .await;
    res.expect(422);
    me_with(&app, &a2).await.expect(200);

    let new_password = "新的长期密码-2026";
    app.send(
        Method::POST,
        "/api/v1/me/password",
        Some(&a1),
        Some(&json!({"current_password": PASSWORD, "new_password": new_password})),
        &[],
    )
    .await
    .expect(204);

    // Every access token issued before the change is dead on the next request.
    me_with(&app, &a2).await.expect(401);
    me_with(&app, &a1).await.expect(401);
    // The other session's refresh token is revoked; this session's lives on and yields a working token.
    refresh(&app, &r2).await.expect(401);
    let renewed = refresh(&app, &r1).await.expect(200);
    me_with(&app, &str_of(&renewed.body, "access_token")).await.expect(200);

    login(&app, "worker_a1", PASSWORD).await.expect(401);
    login(&app, "worker_a1", new_password).await.expect(200);
    let audited = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.change_password' AND user_id = '{}'",
            f.user("worker_a1")
        ))
        .await;
    assert_eq!(audited, 1);
}

#[actix_web::test]
async fn disabling_a_user_kills_their_tokens_at_once() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let session = app.login_full("worker_a1", PASSWORD).await;
    let (access, r) = (str_of(&session, "access_token"), str_of(&session, "refresh_token"));
    me_with(&app, &access).await.expect(200);

    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/users/{}", f.user("worker_a1"));
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    let res = app.patch(&path, &admin, &etag, json!({"is_active": false})).await.expect(200);
    assert_eq!(res.body["is_active"], false);

    me_with(&app, &access).await.expect(401);
    refresh(&app, &r).await.expect(401);
    login(&app, "worker_a1", PASSWORD).await.expect(401);

    // Enabled again: a fresh login works, but the old tokens stay dead.
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    app.patch(&path, &admin, &etag, json!({"is_active": true})).await.expect(200);
    me_with(&app, &access).await.expect(401);
    refresh(&app, &r).await.expect(401);
    app.token("worker_a1").await;
}

#[actix_web::test]
async fn moving_a_user_changes_what_their_token_sees_on_the_next_request() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let ids = |res: &Res| -> Vec<String> {
        let mut v: Vec<String> =
            res.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect();
        v.sort();
        v
    };
    let sorted = |names: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|n| f.unit(n).to_string()).collect();
        v.sort();
        v
    };
    let before = app.get("/api/v1/org-units", &worker).await.expect(200);
    assert_eq!(ids(&before), sorted(&["town_a1", "village_a1"]));

    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/users/{}", f.user("worker_a1"));
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    app.patch(&path, &admin, &etag, json!({"org_unit_id": f.unit("town_a2")})).await.expect(200);

    let after = app.get("/api/v1/org-units", &worker).await.expect(200);
    assert_eq!(ids(&after), sorted(&["town_a2"]));
    app.get(&format!("/api/v1/org-units/{}", f.unit("town_a1")), &worker).await.expect(404);
    app.get(&format!("/api/v1/users/{}", f.user("worker_a1b")), &worker).await.expect(404);
    app.get(&format!("/api/v1/users/{}", f.user("worker_a2")), &worker).await.expect(200);
    let me = me_with(&app, &worker).await.expect(200);
    assert_eq!(me.body["unit"]["id"], json!(f.unit("town_a2")));
}

#[actix_web::test]
async fn admin_password_reset_ends_every_session() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let s1 = app.login_full("worker_a1", PASSWORD).await;
    let s2 = app.login_full("worker_a1", PASSWORD).await;
    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/users/{}/reset-password", f.user("worker_a1"));

    // Weak passwords are refused and change nothing.
    let res = app.post(&path, &admin, json!({"new_password": "password"})).await.expect(422);
    assert_eq!(field_codes(&res), vec![("new_password".to_owned(), "common_password".to_owned())]);
    me_with(&app, &str_of(&s1, "access_token")).await.expect(200);

    app.send(Method::POST, &path, Some(&admin), Some(&json!({"new_password": "Reset-By-Admin-77"})), &[]).await.expect(204);
    for s in [&s1, &s2] {
        me_with(&app, &str_of(s, "access_token")).await.expect(401);
        refresh(&app, &str_of(s, "refresh_token")).await.expect(401);
    }
    login(&app, "worker_a1", PASSWORD).await.expect(401);
    login(&app, "worker_a1", "Reset-By-Admin-77").await.expect(200);

    // Out of scope: an admin of county A cannot reset a county B user (404, nothing changes).
    let b_path = format!("/api/v1/users/{}/reset-password", f.user("worker_b1"));
    app.post(&b_path, &admin, json!({"new_password": "Reset-By-Admin-77"})).await.expect(404);
    app.token("worker_b1").await;
}

#[actix_web::test]
async fn a_login_in_flight_during_a_password_reset_does_not_survive_it() {
    // A login that verified the old password just before an admin reset it must not leave a
    // working session behind: the reset ends every session, including one being opened.
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    // Make the login pause inside its last step: it clears the account's failure count, and a
    // test transaction holds that row.
    login(&app, "worker_a1", "guess-ffff-6").await.expect(401);
    let holder = app.db.connect().await;
    holder
        .batch_execute("BEGIN; SELECT 1 FROM login_throttles WHERE throttle_key = 'worker_a1@127.0.0.1' FOR UPDATE")
        .await
        .expect("hold");

    let signing_in = login(&app, "worker_a1", PASSWORD);
    let rest = async {
        app.wait_for_lock_waiters(1).await;
        let reset_path = format!("/api/v1/users/{}/reset-password", f.user("worker_a1"));
        let reset = app.post(&reset_path, &admin, json!({"new_password": "Reset-During-Login-1"}));
        let release = async {
            // Release once the reset is done, or waits for the login.
            for _ in 0..500 {
                let done = app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'user.reset_password'").await;
                let waiting = app
                    .sql_i64(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    )
                    .await;
                if done > 0 || waiting >= 2 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            holder.batch_execute("COMMIT").await.expect("commit");
        };
        futures_util::future::join(reset, release).await.0
    };
    let (signed_in, reset) = futures_util::future::join(signing_in, rest).await;
    reset.expect(204);
    if signed_in.status.as_u16() == 200 {
        me_with(&app, &str_of(&signed_in.body, "access_token")).await.expect(401);
        refresh(&app, &str_of(&signed_in.body, "refresh_token")).await.expect(401);
    } else {
        signed_in.expect(401);
    }
    assert_eq!(
        app.sql_i64(&format!(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = '{}' AND revoked_at IS NULL",
            f.user("worker_a1")
        ))
        .await,
        0,
        "no live session with the old password"
    );
    login(&app, "worker_a1", "Reset-During-Login-1").await.expect(200);
}

#[actix_web::test]
async fn repeated_failures_lock_the_account_until_the_window_ends() {
    // A window long enough that a loaded machine (hashing runs at idle priority) cannot let it
    // pass between two attempts of the test.
    let app = TestApp::spawn_with(Options { login_max_failures: 3, login_lock_secs: 5 }).await;
    let f = app.fixture().await;
    for _ in 0..3 {
        login(&app, "worker_a1", "not-the-password").await.expect(401);
    }
    let locked = login(&app, "worker_a1", "not-the-password").await.expect(429);
    let retry: u64 = locked.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=5).contains(&retry), "Retry-After {retry}");
    assert_eq!(locked.header("content-type").as_deref(), Some("application/problem+json"));

    // The right password is refused while locked, whatever the spelling of the name.
    login(&app, "worker_a1", PASSWORD).await.expect(429);
    login(&app, "WORKER_A1", PASSWORD).await.expect(429);
    // Other accounts are not affected.
    login(&app, "worker_a1b", PASSWORD).await.expect(200);
    let denied = app
        .sql_i64(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied' AND username = 'worker_a1'",
        )
        .await;
    assert_eq!(denied, 3, "each throttled attempt is audited");

    // After the window, the right password works again (and clears the count).
    tokio::time::sleep(Duration::from_millis(5300)).await;
    let res = login(&app, "worker_a1", PASSWORD).await.expect(200);
    assert_eq!(res.body["user"]["id"], json!(f.user("worker_a1")));
    assert_eq!(app.sql_i64("SELECT count(*) FROM login_throttles WHERE throttle_key = 'worker_a1@127.0.0.1'").await, 0);

    // Unknown names are throttled the same way (nothing tells them apart).
    for _ in 0..3 {
        login(&app, "nobody_here", "whatever-123").await.expect(401);
    }
    login(&app, "nobody_here", "whatever-123").await.expect(429);
}

#[actix_web::test]
async fn parallel_guesses_cannot_slip_past_a_lock() {
    // Guesses sent all at once pass the lock check together and then queue for the hasher; a lock
    // set by the first failures must still stop the later ones, or parallel guessing would bypass
    // the throttle altogether.
    let app = TestApp::spawn_with(Options { login_max_failures: 5, login_lock_secs: 300 }).await;
    app.fixture().await;
    let wrong: Vec<_> =
        (0..14).map(|i| login(&app, "worker_a1", if i % 2 == 0 { "guess-aaaa-1" } else { "guess-bbbb-2" })).collect();
    let right = async {
        // Sent once the first failure is on record: the other guesses are queued for the hasher
        // by then, and the lock (at five) is still a few hashes away.
        for _ in 0..500 {
            let failures = app
                .sql_i64(
                    "SELECT coalesce(max(failures), 0)::bigint FROM login_throttles WHERE throttle_key = 'worker_a1@127.0.0.1'",
                )
                .await;
            if failures >= 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        login(&app, "worker_a1", PASSWORD).await
    };
    let (wrong, right) = futures_util::future::join(futures_util::future::join_all(wrong), right).await;
    let statuses: Vec<u16> = wrong.iter().map(|r| r.status.as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    // Five failures lock the account; at most the guesses already being hashed (two at a time in
    // tests) finish after that.
    assert!(statuses.iter().filter(|s| **s == 401).count() <= 7, "only a few guesses are judged: {statuses:?}");
    assert_eq!(right.status.as_u16(), 429, "the right password is refused once the account is locked: {}", right.text);
    assert_eq!(app.sql_i64("SELECT count(*) FROM refresh_tokens").await, 0, "no session was issued");
}

#[actix_web::test]
async fn a_failure_recorded_during_a_lock_keeps_the_lock() {
    // Two wrong guesses judged while the account was still open are recorded one after the
    // other; the first one locks the account, and the second must not unlock it again.
    let app = TestApp::spawn_with(Options { login_max_failures: 5, login_lock_secs: 300 }).await;
    app.fixture().await;
    for _ in 0..3 {
        login(&app, "worker_a1", "guess-cccc-3").await.expect(401);
    }
    // A fourth failure, not yet committed, holds the row: both guesses pass every check and queue
    // behind it to record their failure.
    let holder = app.db.connect().await;
    holder
        .batch_execute("BEGIN; UPDATE login_throttles SET failures = 4 WHERE throttle_key = 'worker_a1@127.0.0.1'")
        .await
        .expect("hold");
    let guesses = futures_util::future::join(login(&app, "worker_a1", "guess-dddd-4"), login(&app, "worker_a1", "guess-eeee-5"));
    let release = async {
        app.wait_for_lock_waiters(2).await;
        holder.batch_execute("COMMIT").await.expect("commit");
    };
    let ((a, b), ()) = futures_util::future::join(guesses, release).await;
    a.expect(401);
    b.expect(401);
    assert_eq!(
        app.sql_i64("SELECT count(*) FROM login_throttles WHERE throttle_key = 'worker_a1@127.0.0.1' AND locked_until > now()")
            .await,
        1
    );
    login(&app, "worker_a1", PASSWORD).await.expect(429);
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[actix_web::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let app = TestApp::spawn_with(Options { login_max_failures: 1000, login_lock_secs: 300 }).await;
    app.fixture().await;
    // Warm up both paths (the dummy hash is computed on first use in tests).
    let unknown = login(&app, "no_such_user", "Wrong-Password-1").await.expect(401);
    let wrong = login(&app, "worker_a1", "Wrong-Password-1").await.expect(401);
    assert_eq!(unknown.text, wrong.text, "byte-identical bodies");
    assert_eq!(unknown.header("content-type"), wrong.header("content-type"));
    assert_eq!(unknown.header("www-authenticate"), wrong.header("www-authenticate"));
    // A disabled account answers the same way too.
    app.sql("UPDATE users SET is_active = false WHERE username = 'worker_a1b'").await;
    let disabled = login(&app, "worker_a1b", PASSWORD).await.expect(401);
    assert_eq!(disabled.text, wrong.text);

    // Medians of interleaved samples, over up to three rounds: a real difference (a skipped hash
    // is 2× or more) fails every round, while a noisy neighbour on the machine rarely spoils all.
    let mut last = (Duration::ZERO, Duration::ZERO);
    for _round in 0..3 {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..9 {
            let t = Instant::now();
            let res = login(&app, &format!("ghost_{i}"), "Wrong-Password-1").await;
            a.push(t.elapsed());
            assert_eq!(res.text, wrong.text);
            let t = Instant::now();
            let res = login(&app, "worker_a1", "Wrong-Password-1").await;
            b.push(t.elapsed());
            assert_eq!(res.text, wrong.text);
        }
        last = (median(a), median(b));
        let (x, y) = (last.0.as_secs_f64(), last.1.as_secs_f64());
        if (x - y).abs() <= 0.2 * x.max(y) {
            return;
        }
    }
    panic!("median times differ by more than 20 %: unknown {:?}, wrong password {:?}", last.0, last.1);
}

#[actix_web::test]
async fn password_policy_and_hash_format() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let new_user = |username: &str, password: &str| {
        json!({
            "username": username, "display_name": "新社工", "org_unit_id": f.unit("town_a1"),
            "role": "worker", "password": password,
        })
    };
    for (password, code) in [
        ("Ab1-xyz", "too_short"),
        ("password", "common_password"),
        ("12345678", "common_password"),
        ("PASSWORD1", "common_password"),
        ("new.worker", "same_as_username"),
    ] {
        let res = app.post("/api/v1/users", &admin, new_user("new.worker", password)).await.expect(422);
        assert_eq!(field_codes(&res), vec![("password".to_owned(), code.to_owned())], "{password}");
    }
    assert_eq!(app.sql_i64("SELECT count(*) FROM users WHERE username = 'new.worker'").await, 0);

    // A 64-character Chinese passphrase is fine, and signs in.
    let passphrase: String = "社会工作服务站长期坚持为困难群众提供专业服务".chars().cycle().take(64).collect();
    assert_eq!(passphrase.chars().count(), 64);
    app.post("/api/v1/users", &admin, new_user("new.worker", &passphrase)).await.expect(201);
    let session = login(&app, "new.worker", &passphrase).await.expect(200);
    let hash = app.db.query_text("SELECT password_hash FROM users WHERE username = 'new.worker'").await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    // The same policy on a self-service change.
    let token = str_of(&session.body, "access_token");
    for (password, code) in [("short", "too_short"), ("iloveyou", "common_password"), ("qwertyuiop", "common_password")] {
        let res =
            app.post("/api/v1/me/password", &token, json!({"current_password": passphrase, "new_password": password})).await;
        let res = res.expect(422);
        assert_eq!(field_codes(&res), vec![("new_password".to_owned(), code.to_owned())], "{password}");
    }
    assert_eq!(app.db.query_text("SELECT password_hash FROM users WHERE username = 'new.worker'").await, hash, "unchanged");
    let other: String = "乡镇街道社会工作服务站点".chars().cycle().take(64).collect();
    app.send(
        Method::POST,
        "/api/v1/me/password",
        Some(&token),
        Some(&json!({"current_password": passphrase, "new_password": other})),
        &[],
    )
    .await
    .expect(204);
    let changed = app.db.query_text("SELECT password_hash FROM users WHERE username = 'new.worker'").await;
    assert!(changed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{changed}");
    assert_ne!(changed, hash);
    login(&app, "new.worker", &other).await.expect(200);
}

#[actix_web::test]
async fn logins_are_audited_with_their_outcome() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let ok = login(&app, "worker_a1", PASSWORD).await.expect(200);
    let request_id = ok.header("x-request-id").expect("request id");
    login(&app, "worker_a1", "Wrong-Password-1").await.expect(401);
    login(&app, "ghost", "Wrong-Password-1").await.expect(401);

    let success = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'success' \
             AND user_id = '{}' AND role = 'worker' AND org_unit_id = '{}' AND request_id = '{request_id}'",
            f.user("worker_a1"),
            f.unit("town_a1")
        ))
        .await;
    assert_eq!(success, 1);
    let failure = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'failure' AND user_id = '{}'",
            f.user("worker_a1")
        ))
        .await;
    assert_eq!(failure, 1);
    let unknown = app
        .sql_i64("SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'failure' AND user_id IS NULL AND username = 'ghost'")
        .await;
    assert_eq!(unknown, 1);
    assert_eq!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'auth.login'").await, 3);
    // No audit row carries a password.
    assert_eq!(
        app.sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE details::text LIKE '%{PASSWORD}%' OR details::text LIKE '%Wrong-Password%'"
        ))
        .await,
        0
    );
}

#[actix_web::test]
async fn a_password_is_reset_only_for_others_and_an_administrators_only_from_above() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let root = app.token("admin_root").await;
    let admin = app.token("admin_a").await;
    let reset = |id: Uuid| format!("/api/v1/users/{id}/reset-password");
    let body = json!({"new_password": "Taken-Over-2026"});
    let denied = "SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND action = 'users.reset_password'";
    // One's own: refused, audited, and the old password still works.
    let own = app.post(&reset(f.user("admin_a")), &admin, body.clone()).await.expect(403);
    assert!(own.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(app.sql_i64(denied).await, 1);
    app.token("admin_a").await;
    // A peer administrator of the same unit: refused; from the unit above: done.
    let peer = json!({"username": "admin_a_peer", "display_name": "同级管理员", "org_unit_id": f.unit("county_a"), "role": "admin",
                      "password": "Peer-Admin-2026"});
    let peer: Uuid = app.post("/api/v1/users", &root, peer).await.expect(201).id().parse().expect("uuid");
    app.post(&reset(peer), &admin, body.clone()).await.expect(403);
    assert_eq!(app.sql_i64(denied).await, 2);
    app.send(Method::POST, &reset(peer), Some(&root), Some(&body), &[]).await.expect(204);
    // Staff below the administrator's unit, and other roles of the same unit, stay theirs to reset.
    app.send(Method::POST, &reset(f.user("worker_a1")), Some(&admin), Some(&body), &[]).await.expect(204);
    app.send(Method::POST, &reset(f.user("sup_a")), Some(&admin), Some(&body), &[]).await.expect(204);
}

#[actix_web::test]
async fn without_a_configured_secret_a_database_keeps_one_of_its_own() {
    let app = TestApp::spawn().await;
    let first = shegong::db::kept_secret(&app.db.app_url, "jwt").await.expect("a secret");
    let again = shegong::db::kept_secret(&app.db.app_url, "jwt").await.expect("the same secret");
    assert_eq!(first, again, "every process on the database signs with the same key");
    assert_eq!(first.len(), 64);
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(first, "shegong-development-secret-do-not-use-in-production");
    // Another database keeps another.
    let other = TestApp::spawn().await;
    assert_ne!(shegong::db::kept_secret(&other.db.app_url, "jwt").await.expect("a secret"), first);
    // A state is never built without a secret.
    let mut config = test_config(&app.db.app_url, &Options::default());
    config.jwt_secret = None;
    assert!(shegong::state::AppState::new(config).is_err());
}

/// Signs in from a loopback address of its own (Linux routes all of 127.0.0.0/8 to itself).
async fn login_from(app: &TestApp, last_octet: u8, username: &str, password: &str) -> u16 {
    let client =
        reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, last_octet])).build().expect("client");
    let body = json!({"username": username, "password": password});
    client.post(format!("{}/api/v1/auth/login", app.base)).json(&body).send().await.expect("request").status().as_u16()
}

#[actix_web::test]
async fn guesses_from_one_address_neither_keep_the_owner_out_elsewhere_nor_spread_across_names() {
    // Windows long enough for a loaded machine to judge every guess inside them.
    let app = TestApp::spawn_with(Options { login_max_failures: 2, login_lock_secs: 6 }).await;
    app.fixture().await;
    // Two wrong guesses from 127.0.0.2 lock worker_a1 there, and only there.
    for _ in 0..2 {
        assert_eq!(login_from(&app, 2, "worker_a1", "guess-gggg-7").await, 401);
    }
    assert_eq!(login_from(&app, 2, "worker_a1", PASSWORD).await, 429);
    assert_eq!(login_from(&app, 4, "worker_a1", PASSWORD).await, 200, "the owner signs in from elsewhere");
    // One address guessing across names is stopped at four times the limit, whatever the name.
    for i in 0..8 {
        assert_eq!(login_from(&app, 3, &format!("sprayed_{i}"), "Spray-Pass-1").await, 401, "guess {i}");
    }
    assert_eq!(login_from(&app, 3, "worker_a1b", PASSWORD).await, 429, "even a right password, from that address");
    assert_eq!(login_from(&app, 4, "worker_a1b", PASSWORD).await, 200);
    let denied = "SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied'";
    assert_eq!(app.sql_i64(denied).await, 2, "each throttled attempt is audited");
    // Backoff: once the first lock has ended, the next one lasts twice as long.
    tokio::time::sleep(Duration::from_millis(6300)).await;
    for _ in 0..2 {
        assert_eq!(login_from(&app, 2, "worker_a1", "guess-hhhh-8").await, 401);
    }
    let locks = "SELECT locks::bigint FROM login_throttles WHERE throttle_key = 'worker_a1@127.0.0.2'";
    assert_eq!(app.sql_i64(locks).await, 2);
    let lasts = "SELECT extract(epoch FROM locked_until - window_start)::bigint FROM login_throttles \
                 WHERE throttle_key = 'worker_a1@127.0.0.2'";
    // 12 s from the second guess; the window starts at the first, which a loaded machine may
    // have judged some seconds earlier (a third lock would be 24 s).
    assert!((11..=20).contains(&app.sql_i64(lasts).await), "a second lock of 12 s");
    // Housekeeping forgets keys idle for a day, and nothing else.
    app.sql("UPDATE login_throttles SET window_start = now() - interval '2 days', locked_until = NULL WHERE throttle_key LIKE 'sprayed%'")
        .await;
    let mut conn = app.state.conn().await.expect("conn");
    let purged = shegong::db::repo::tokens::purge_idle_throttles(&mut conn).await.expect("purge");
    assert_eq!(purged, 8);
    assert_eq!(app.sql_i64("SELECT count(*) FROM login_throttles WHERE throttle_key LIKE 'worker_a1@%'").await, 1);
}
