//! Integrations (`GET /integrations`): the catalogue of ilert's integrations, public
//! (`security: []`) and the same for everyone, paged by `start-index` and `max-results`. It is
//! derived from the document's own lists: every alert source `IntegrationType` is an `INBOUND`
//! integration (whose `integrationPath` is where the mock takes its events), every
//! `AlertActionType` an `OUTBOUND` one.

use serde_json::{Value, json};

use crate::resources::catalogue::catalogue;

/// `PROMETHEUS` → `Prometheus`, `microsoft_teams_bot` → `Microsoft Teams Bot`.
fn title(key: &str) -> String {
    key.split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every integration, inbound first, each in the document's order.
fn all() -> Vec<Value> {
    let c = catalogue();
    let values = |schema: &str| -> Vec<String> {
        c.schema(schema)
            .and_then(|s| c.enum_values(s))
            .map(|v| v.into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let inbound = values("IntegrationType").into_iter().map(|key| {
        let id = key.to_ascii_lowercase();
        json!({
            "id": id,
            "name": title(&key),
            "type": "INBOUND",
            "integrationPath": format!("{}/{id}", crate::paths::EVENTS_BY_URL),
        })
    });
    let outbound = values("AlertActionType")
        .into_iter()
        .map(|key| json!({"id": key, "name": title(&key), "type": "OUTBOUND"}));
    inbound.chain(outbound).collect()
}

/// The page `start`, at most `max` long.
pub fn list(start: usize, max: usize) -> Value {
    all().into_iter().skip(start).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_inbound_and_outbound_integrations() {
        let all = all();
        assert!(
            all.iter()
                .any(|i| i["id"] == "prometheus" && i["type"] == "INBOUND" && i["name"] == "Prometheus")
        );
        assert!(
            all.iter()
                .any(|i| i["name"] == "Microsoft Teams Bot" && i["type"] == "OUTBOUND")
        );
        assert_eq!(list(1, 2).as_array().map(Vec::len), Some(2));
    }
}
