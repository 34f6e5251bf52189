//! Tests against ilert's OpenAPI document: every operation of the catalogue the mock embeds
//! answers with a body that validates against its schema (`walk`), and the catalogue is exactly
//! the facts of ilert's document (`drift`, which alone reads the document, from
//! `$ILERT_OPENAPI`).

mod derive;
mod drift;
mod schema;
mod walk;

use crate::common;
