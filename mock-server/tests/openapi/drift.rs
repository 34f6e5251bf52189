//! The drift check: the catalogue the mock embeds (`src/resources/ilert-openapi.json`) is exactly
//! what [`derive`](super::derive::derive) makes of ilert's document. It needs the document, so it
//! runs only with `ILERT_OPENAPI=/path/to/ilert-rest-api-openapi.yml` (CI sets it); after a new
//! document, run `ILERT_OPENAPI=… ILERT_OPENAPI_WRITE=1 cargo test -p ilert-mock --test
//! integration openapi::drift` and read the diff.

use serde_json::Value;

use super::derive::{catalogue_path, derive, document};

fn first_difference(derived: &Value, committed: &Value) -> String {
    let ops = |v: &Value| v["operations"].as_array().cloned().unwrap_or_default();
    let (a, b) = (ops(derived), ops(committed));
    for (x, y) in a.iter().zip(b.iter()) {
        if x != y {
            return format!(
                "operation {} {} differs (document: {x}, committed: {y})",
                x["method"], x["path"]
            );
        }
    }
    if a.len() != b.len() {
        return format!(
            "the document has {} operations, the catalogue {}",
            a.len(),
            b.len()
        );
    }
    let schemas = |v: &Value| {
        v["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let (a, b) = (schemas(derived), schemas(committed));
    for (name, s) in &a {
        if b.get(name) != Some(s) {
            return format!("schema {name} differs or is missing in the catalogue");
        }
    }
    if let Some(name) = b.keys().find(|n| !a.contains_key(*n)) {
        return format!("schema {name} is in the catalogue but not in the document");
    }
    "the source information differs".to_owned()
}

#[test]
fn catalogue_matches_the_document() {
    let Some(document) = document() else { return };
    let derived = derive(&document);
    let path = catalogue_path();
    if std::env::var_os("ILERT_OPENAPI_WRITE").is_some() {
        let mut text = serde_json::to_string_pretty(&derived).expect("json");
        text.push('\n');
        std::fs::write(&path, text).expect("write the catalogue");
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("catalogue"))
        .expect("the catalogue is JSON");
    assert!(
        derived == committed,
        "{} drifted from ilert's document: {}. Regenerate with ILERT_OPENAPI_WRITE=1 and review the diff.",
        path.display(),
        first_difference(&derived, &committed)
    );
}

#[test]
fn catalogue_keeps_no_prose() {
    let text = std::fs::read_to_string(catalogue_path()).expect("catalogue");
    assert!(
        !text.contains("\"externalDocs\":"),
        "the catalogue holds externalDocs"
    );
    let Some(doc) = document() else { return };
    let any_description = doc["paths"]["/events"]["post"]["description"]
        .as_str()
        .expect("the document describes the Events API");
    assert!(!text.contains(&any_description[..40]));
}
