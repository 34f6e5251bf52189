//! Tests against ilert's OpenAPI document (read from `shared/ilert-docs/`, or `$ILERT_OPENAPI`):
//! the derived catalogue the mock embeds matches the document, and every operation the mock
//! serves answers with a body that validates against the document's schema.

mod derive;
mod drift;
mod schema;
mod walk;

#[path = "../common/mod.rs"]
mod common;
