//! The layering of the README's layout section, held by reading the source: services, the domain
//! and the database layer know nothing of HTTP, and `error.rs` sits at the bottom.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(rel)
}

/// Every line of the files under `dirs` that contains one of `words`.
fn offending(dirs: &[&str], words: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for dir in dirs {
        let path = src(dir);
        let files = if path.is_dir() { rust_files(&path) } else { vec![path] };
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read source");
            for (n, line) in text.lines().enumerate() {
                if words.iter().any(|w| line.contains(w)) {
                    hits.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    hits
}

#[test]
fn services_domain_and_db_know_nothing_of_http() {
    let hits = offending(
        &["services", "domain", "db"],
        &["actix", "crate::extract", "HttpResponse", "HttpRequest", "StatusCode", "\"/api/v1", "http_status"],
    );
    assert!(hits.is_empty(), "HTTP below the routes:\n{}", hits.join("\n"));
}

#[test]
fn the_plain_values_and_the_error_type_import_nothing_above_them() {
    let hits = offending(
        &["error.rs", "paging.rs", "auth/actor.rs", "i18n.rs"],
        &["crate::db", "crate::extract", "crate::services", "crate::routes", "crate::state"],
    );
    assert!(hits.is_empty(), "an upward import:\n{}", hits.join("\n"));
}

#[test]
fn the_test_reads_the_tree_it_guards() {
    // A renamed folder would make the checks above vacuous.
    assert!(rust_files(&src("services")).len() > 5 && rust_files(&src("domain")).len() > 5);
    assert!(!offending(&["routes"], &["HttpResponse"]).is_empty());
}
