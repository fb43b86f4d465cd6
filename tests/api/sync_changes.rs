//! Pulling changes for a device's offline copy (FIELDWORK.md §3): the first download paged, edits
//! once at their latest version, commits out of order never skipped, records that leave the
//! caller's scope removed (a moved worker, a transferred case, a moved unit, a deletion), what a
//! role may read, and checksums equal to the copy a full pull leaves.

use std::collections::{BTreeMap, HashMap};

use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::sync::{checksum, record_hash};
use uuid::Uuid;

use crate::helpers::{Fixture, TestApp};

/// A device's copy: record by (entity, id).
#[derive(Default)]
struct Device {
    records: HashMap<(String, String), Value>,
    cursor: Option<String>,
    /// Every change served, in order.
    log: Vec<Value>,
}

impl Device {
    /// Pulls until nothing more is ready, `limit` per page; returns the pages it took.
    async fn pull(&mut self, app: &TestApp, token: &str, limit: u32) -> usize {
        let mut pages = 0;
        loop {
            pages += 1;
            if !self.pull_once(app, token, limit).await {
                return pages;
            }
            assert!(pages < 10_000, "a pull that never ends");
        }
    }

    /// One page; whether the server says to ask again.
    async fn pull_once(&mut self, app: &TestApp, token: &str, limit: u32) -> bool {
        {
            let mut path = format!("/api/v1/sync/changes?limit={limit}");
            if let Some(c) = &self.cursor {
                path += &format!("&since={c}");
            }
            let res = app.get(&path, token).await.expect(200);
            for change in res.body["changes"].as_array().expect("changes") {
                let key = (change["entity"].as_str().expect("text").to_owned(), change["id"].as_str().expect("text").to_owned());
                match change["op"].as_str().expect("text") {
                    "upsert" => {
                        self.records.insert(key, change.clone());
                    }
                    "remove" => {
                        self.records.remove(&key);
                    }
                    op => panic!("unknown op {op}"),
                }
                self.log.push(change.clone());
            }
            self.cursor = Some(res.body["next_cursor"].as_str().expect("next_cursor").to_owned());
            res.body["has_more"] == true
        }
    }

    fn has(&self, entity: &str, id: &str) -> bool {
        self.records.contains_key(&(entity.to_owned(), id.to_owned()))
    }

    fn get(&self, entity: &str, id: &str) -> &Value {
        &self.records[&(entity.to_owned(), id.to_owned())]
    }

    /// The per-unit checksums of the copy, as the server defines them.
    fn checksums(&self) -> BTreeMap<String, (i64, String)> {
        let mut units: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for ((entity, id), change) in &self.records {
            let unit = change["org_unit_id"].as_str().expect("org_unit_id").to_owned();
            let version = change["version"].as_i64().expect("version") as i32;
            units.entry(unit).or_default().push(record_hash(entity, id.parse().expect("uuid"), version));
        }
        units.into_iter().map(|(u, h)| (u, (h.len() as i64, checksum(h)))).collect()
    }

    /// Changes served since `from` (an index into the log) for a record.
    fn served_since(&self, from: usize, entity: &str, id: &str) -> Vec<&Value> {
        self.log[from..].iter().filter(|c| c["entity"] == entity && c["id"] == id).collect()
    }
}

async fn server_checksums(app: &TestApp, token: &str) -> BTreeMap<String, (i64, String)> {
    let res = app.get("/api/v1/sync/checksums", token).await.expect(200);
    res.body["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["org_unit_id"].as_str().expect("text").to_owned(),
                (u["count"].as_i64().expect("number"), u["checksum"].as_str().expect("text").to_owned()),
            )
        })
        .collect()
}

async fn client_in(app: &TestApp, f: &Fixture, token: &str, unit: &str, name: &str) -> String {
    let body = json!({"org_unit_id": f.unit(unit), "name": name, "id_type": "none", "phone": "13800005678",
                      "address": "滨河村3组12号"});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

/// Clients registered in bulk SQL (by worker_a1), `n` per unit.
async fn bulk_clients(app: &TestApp, f: &Fixture, units: &[(&str, u32)]) {
    for (unit, n) in units {
        app.sql(&format!(
            "INSERT INTO clients (id, org_unit_id, name, id_type, created_by) \
             SELECT gen_random_uuid(), '{}', '对象' || g, 'none', '{}' FROM generate_series(1, {n}) g",
            f.unit(unit),
            f.user("worker_a1"),
        ))
        .await;
    }
}

async fn case_of(app: &TestApp, f: &Fixture, token: &str, client: &str, unit: &str) -> String {
    let body = json!({"client_id": client, "org_unit_id": f.unit(unit), "source": "outreach",
                      "presenting_problem": "独居老人，近期跌倒两次。", "domain": "elderly_care", "risk_level": "yellow",
                      "problem_types": ["独居"]});
    app.post("/api/v1/cases", token, body).await.expect(201).id()
}

#[actix_web::test]
async fn a_first_download_of_ten_thousand_records_is_paged_and_checksums_match() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let own = client_in(&app, &f, &worker, "town_a1", "王奶奶").await;
    let case = case_of(&app, &f, &worker, &own, "town_a1").await;
    // Ten thousand registered in bulk, as a migration or an import would: the triggers track them.
    bulk_clients(&app, &f, &[("town_a1", 6_000), ("village_a1", 4_000), ("town_b1", 500)]).await;
    let mut device = Device::default();
    let pages = device.pull(&app, &worker, 1000).await;
    assert!(pages >= 11, "10,002 records in pages of 1000 ({pages} pages)");
    let clients = device.records.keys().filter(|(e, _)| e == "client").count();
    assert_eq!(clients, 10_001, "every client of the township and its village, none of county b");
    assert_eq!(device.log.len(), device.records.len(), "each record once");
    assert!(device.has("case", &case));
    assert!(!device.records.values().any(|c| c["org_unit_id"] == json!(f.unit("town_b1"))));
    // The data is the record as the caller may read it.
    let mine = device.get("client", &own);
    assert_eq!(mine["data"]["name"], "王奶奶");
    assert_eq!(mine["data"]["phone"], "13800005678", "the worker's own unit: phone whole");
    assert_eq!(mine["data"]["contact_masked"], false);
    assert!(mine["data"].get("id_number").is_none() && mine["data"].get("name_grams").is_none());
    assert_eq!(mine["version"], mine["data"]["version"]);

    let server = server_checksums(&app, &worker).await;
    assert_eq!(server, device.checksums(), "checksums equal after a full pull");
    assert_eq!(server[&f.unit("village_a1").to_string()].0, 4_000);

    // Nothing changed: the next pull is empty and keeps its place.
    let before = device.log.len();
    assert_eq!(device.pull(&app, &worker, 1000).await, 1);
    assert_eq!(device.log.len(), before);

    // One pull is one audit row, with its counts.
    let audited = app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'sync.pull'").await;
    assert_eq!(audited, pages as i64 + 1);
    // (A page may be short while another test's transaction, older than these rows, runs.)
    let served =
        app.sql_i64("SELECT sum((details->>'upserts')::bigint)::bigint FROM audit_events WHERE action = 'sync.pull'").await;
    assert_eq!(served, device.log.len() as i64);
    let fullest = app.sql_i64("SELECT max((details->>'upserts')::bigint) FROM audit_events WHERE action = 'sync.pull'").await;
    assert_eq!(fullest, 1000);
}

/// A first download walks the scope unit by unit; what changes while it walks, behind it or
/// ahead of it, comes after the walk at its latest version, and the copy ends equal to the server.
#[actix_web::test]
async fn changes_made_during_a_paged_first_download_arrive_after_it() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    bulk_clients(&app, &f, &[("town_a1", 150), ("village_a1", 150)]).await;
    let mut device = Device::default();
    // (A page may come back empty while another test's transaction, older than these rows, runs.)
    while device.log.is_empty() {
        assert!(device.pull_once(&app, &worker, 100).await, "300 records: more pages follow");
    }
    let served: Vec<String> = device.log.iter().map(|c| c["id"].as_str().expect("id").to_owned()).collect();
    let all: Vec<String> = app
        .db
        .connect()
        .await
        .query("SELECT id::text FROM clients", &[])
        .await
        .expect("clients")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let ahead: Vec<&String> = all.iter().filter(|id| !served.contains(id)).collect();
    // Behind the walk: an edit; ahead of it: an edit and a deletion; and a new client.
    let (behind, edited, deleted) = (&served[0], ahead[0], ahead[1]);
    for id in [behind, edited] {
        app.patch(&format!("/api/v1/clients/{id}"), &worker, "\"1\"", json!({"notes": "走访中更新"})).await.expect(200);
    }
    app.send(Method::DELETE, &format!("/api/v1/clients/{deleted}"), Some(&sup), None, &[]).await.expect(204);
    let new = client_in(&app, &f, &worker, "village_a1", "新登记").await;

    device.pull(&app, &worker, 100).await;
    for id in [behind, edited] {
        assert_eq!(device.get("client", id)["version"], 2, "{id}: the edit arrives");
        assert_eq!(device.get("client", id)["data"]["notes"], "走访中更新");
    }
    assert!(!device.has("client", deleted), "a deletion ahead of the walk is never held");
    assert!(device.has("client", &new));
    assert_eq!(device.records.len(), 300, "300 - 1 deleted + 1 new");
    assert_eq!(server_checksums(&app, &worker).await, device.checksums());
    // The walk: the 298 records unchanged since it began (the one edited behind it among them);
    // then the two edits, the deletion and the new client: every record once but that one.
    assert_eq!(device.log.len(), 302);
}

#[actix_web::test]
async fn edits_come_once_at_their_latest_version_and_deletions_as_removes() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let a = client_in(&app, &f, &worker, "town_a1", "甲").await;
    let b = client_in(&app, &f, &worker, "town_a1", "乙").await;
    let mut device = Device::default();
    device.pull(&app, &worker, 500).await;
    let mark = device.log.len();

    let path = format!("/api/v1/clients/{a}");
    app.patch(&path, &worker, "\"1\"", json!({"notes": "第一次"})).await.expect(200);
    app.patch(&path, &worker, "\"2\"", json!({"notes": "第二次"})).await.expect(200);
    app.send(Method::DELETE, &format!("/api/v1/clients/{b}"), Some(&sup), None, &[]).await.expect(204);
    device.pull(&app, &worker, 500).await;

    let served = device.served_since(mark, "client", &a);
    assert_eq!(served.len(), 1, "two edits, one change");
    assert_eq!(served[0]["version"], 3);
    assert_eq!(served[0]["data"]["notes"], "第二次");
    let removed = device.served_since(mark, "client", &b);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["op"], "remove");
    assert!(!device.has("client", &b));
    assert_eq!(server_checksums(&app, &worker).await, device.checksums());
}

#[actix_web::test]
async fn commits_out_of_order_are_never_skipped() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let early = client_in(&app, &f, &worker, "town_a1", "先开始").await;
    let late = client_in(&app, &f, &worker, "town_a1", "后开始").await;
    let mut device = Device::default();
    device.pull(&app, &worker, 500).await;
    let mark = device.log.len();

    // T1 starts and writes first (the smaller transaction id), T2 writes and commits before it.
    let t1 = app.db.connect().await;
    let t2 = app.db.connect().await;
    t1.batch_execute(&format!("BEGIN; UPDATE clients SET notes = 't1', version = version + 1 WHERE id = '{early}'"))
        .await
        .expect("t1");
    t2.batch_execute(&format!("BEGIN; UPDATE clients SET notes = 't2', version = version + 1 WHERE id = '{late}'; COMMIT"))
        .await
        .expect("t2");
    // A pull now sees T2 committed but may not move past T1, which still runs: it asks the
    // device to come back.
    assert!(device.pull_once(&app, &worker, 500).await, "has_more while T2 waits");
    assert!(device.served_since(mark, "client", &late).is_empty(), "T2 waits for T1, which started before it");
    t1.batch_execute("COMMIT").await.expect("commit t1");
    device.pull(&app, &worker, 500).await;
    assert_eq!(device.get("client", &early)["data"]["notes"], "t1");
    assert_eq!(device.get("client", &late)["data"]["notes"], "t2");
    assert_eq!(server_checksums(&app, &worker).await, device.checksums());
}

#[actix_web::test]
async fn a_worker_moved_to_another_township_loses_the_old_one_on_the_next_pull() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let colleague = app.token("worker_a2").await;
    let old = client_in(&app, &f, &worker, "town_a1", "旧乡镇").await;
    let old_case = case_of(&app, &f, &worker, &old, "town_a1").await;
    let new = client_in(&app, &f, &colleague, "town_a2", "新乡镇").await;
    let mut device = Device::default();
    device.pull(&app, &worker, 500).await;
    assert!(device.has("client", &old) && device.has("case", &old_case) && !device.has("client", &new));

    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/users/{}", f.user("worker_a1"));
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    app.patch(&path, &admin, &etag, json!({"org_unit_id": f.unit("town_a2")})).await.expect(200);
    let worker = app.token("worker_a1").await;
    // A few records per page, so the walk of the old scope takes several pages.
    device.pull(&app, &worker, 2).await;
    assert!(!device.has("client", &old) && !device.has("case", &old_case), "the old township is gone");
    assert!(device.has("client", &new), "the new township arrives");
    assert!(device.records.values().all(|c| c["org_unit_id"] == json!(f.unit("town_a2"))), "nothing outside the new scope stays");
    assert_eq!(server_checksums(&app, &worker).await, device.checksums());
}

#[actix_web::test]
async fn a_transferred_case_leaves_the_old_station_and_stays_with_the_county() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a").await;
    let client = client_in(&app, &f, &worker, "town_a1", "转介对象").await;
    let case = case_of(&app, &f, &worker, &client, "town_a1").await;
    let (mut station, mut county, mut other) = (Device::default(), Device::default(), Device::default());
    let receiving = app.token("worker_a2").await;
    station.pull(&app, &worker, 500).await;
    county.pull(&app, &sup, 500).await;
    other.pull(&app, &receiving, 500).await;
    assert!(station.has("case", &case) && county.has("case", &case) && !other.has("case", &case));
    let county_mark = county.log.len();

    app.send_current(
        Method::POST,
        &format!("/api/v1/cases/{case}/transfer"),
        &sup,
        ("cases", &case),
        json!({"worker_id": f.user("worker_a2"), "org_unit_id": f.unit("town_a2"), "note": "迁居到二乡"}),
    )
    .await
    .expect(200);
    station.pull(&app, &worker, 500).await;
    county.pull(&app, &sup, 500).await;
    other.pull(&app, &receiving, 500).await;
    assert!(!station.has("case", &case), "the old station's copy is removed");
    assert!(other.has("case", &case), "the new station receives it");
    assert_eq!(other.get("case", &case)["org_unit_id"], json!(f.unit("town_a2")));
    let served = county.served_since(county_mark, "case", &case);
    assert!(served.iter().all(|c| c["op"] == "upsert"), "moved within the county: an update, never a remove");
    assert!(county.has("case", &case));
    for (device, token) in [(&station, &worker), (&county, &sup), (&other, &receiving)] {
        assert_eq!(server_checksums(&app, token).await, device.checksums());
    }
}

#[actix_web::test]
async fn a_unit_moved_to_another_township_takes_its_records_along() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let village_worker = app.token("worker_v_a1").await;
    let client = client_in(&app, &f, &village_worker, "village_a1", "村里的人").await;
    let (mut a1, mut a2) = (Device::default(), Device::default());
    let (t1, t2) = (app.token("worker_a1").await, app.token("worker_a2").await);
    a1.pull(&app, &t1, 500).await;
    a2.pull(&app, &t2, 500).await;
    assert!(a1.has("client", &client) && !a2.has("client", &client));

    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/org-units/{}", f.unit("village_a1"));
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    app.patch(&path, &admin, &etag, json!({"parent_id": f.unit("town_a2")})).await.expect(200);
    a1.pull(&app, &t1, 500).await;
    a2.pull(&app, &t2, 500).await;
    assert!(!a1.has("client", &client), "the township it left removes it");
    assert!(a2.has("client", &client), "the township it joined receives it");
    assert_eq!(server_checksums(&app, &t1).await, a1.checksums());
    assert_eq!(server_checksums(&app, &t2).await, a2.checksums());
}

#[actix_web::test]
async fn a_pull_shows_what_the_role_may_read_and_nothing_of_another_branch() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let village = app.token("worker_v_a1").await;
    let id_number = "11010519491231002X";
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "证件对象", "id_type": "resident_id", "id_number": id_number,
                      "phone": "13800005678", "address": "镇上", "guardian": {"name": "监护人", "phone": "13900001111"}});
    let townsfolk = app.post("/api/v1/clients", &worker, body).await.expect(201).id();
    let villager = client_in(&app, &f, &village, "village_a1", "村民").await;
    let worker_b = app.token("worker_b1").await;
    let far = client_in(&app, &f, &worker_b, "town_b1", "乙县对象").await;

    let (mut w, mut county) = (Device::default(), Device::default());
    w.pull(&app, &worker, 500).await;
    let sup = app.token("sup_a").await;
    county.pull(&app, &sup, 500).await;
    let seen = w.get("client", &townsfolk);
    assert_eq!(seen["data"]["id_number_masked"], "110105********002X");
    assert!(!seen.to_string().contains(id_number), "the ID number never travels whole");
    assert_eq!(seen["data"]["address"], "镇上");
    // From the county, a township's clients are directly beneath; a village's are not.
    assert_eq!(county.get("client", &townsfolk)["data"]["phone"], "13800005678");
    let far_down = county.get("client", &villager);
    assert_eq!(far_down["data"]["contact_masked"], true);
    assert_ne!(far_down["data"]["phone"], "13800005678");
    assert_eq!(far_down["data"]["address"], Value::Null);
    assert!(!w.has("client", &far) && !county.has("client", &far), "another county's records never come");
    let mut b = Device::default();
    b.pull(&app, &worker_b, 500).await;
    assert!(b.has("client", &far) && !b.has("client", &townsfolk) && !b.has("client", &villager));
}

#[actix_web::test]
async fn reviews_go_to_those_who_decide_them() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let client = client_in(&app, &f, &worker, "town_a1", "审核对象").await;
    let case = case_of(&app, &f, &worker, &client, "town_a1").await;
    let review = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO reviews (id, kind, case_id, org_unit_id, requested_by, requested_at, status) \
         VALUES ('{review}', 'plan_approval', '{case}', '{}', '{}', now(), 'pending')",
        f.unit("town_a1"),
        f.user("worker_a1")
    ))
    .await;
    let (mut w, mut s) = (Device::default(), Device::default());
    w.pull(&app, &worker, 500).await;
    let sup = app.token("sup_a1").await;
    s.pull(&app, &sup, 500).await;
    assert!(!w.has("review", &review.to_string()), "a worker does not act on reviews");
    assert_eq!(s.get("review", &review.to_string())["version"], 1);
    app.sql(&format!("UPDATE reviews SET status = 'approved', decided_at = now() WHERE id = '{review}'")).await;
    s.pull(&app, &sup, 500).await;
    assert_eq!(s.get("review", &review.to_string())["data"]["status"], "approved");
    assert_eq!(s.get("review", &review.to_string())["version"], 2);
    assert_eq!(server_checksums(&app, &sup).await, s.checksums());
    assert_eq!(server_checksums(&app, &worker).await, w.checksums());
}

#[actix_web::test]
async fn bad_cursors_and_limits_are_field_errors() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let worker = app.token("worker_a1").await;
    for path in [
        "/api/v1/sync/changes?since=not-a-cursor",
        "/api/v1/sync/changes?since=eyJ4IjoxfQ",
        "/api/v1/sync/changes?limit=0",
        "/api/v1/sync/changes?limit=1001",
    ] {
        let res = app.get(path, &worker).await.expect(422);
        let field = res.body["errors"][0]["field"].as_str().expect("field");
        assert!(field == "since" || field == "limit", "{path}: {field}");
    }
}
