//! Request parameters from a query string, a form body or a JSON body, parsed strictly.
//!
//! - RFC 6749 §3.1 / §3.2: "Request and response parameters MUST NOT be included more than once",
//!   and "parameters sent without a value MUST be treated as if they were omitted".
//! - `application/x-www-form-urlencoded` (WHATWG URL §5): `+` is a space; a `%` must start a
//!   valid escape; the decoded text must be UTF-8. Lenient decoders silently change such input;
//!   the mock refuses it so a client's encoding bug shows up.
//! - JSON bodies (behaviour.md §9) must be one object whose values are strings (numbers and booleans are
//!   taken as their text, as form encoding would send them).

use percent_encoding::percent_decode;

use super::error::OAuthError;

/// Parsed parameters in the order sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets; only names are shown.
        f.debug_list().entries(self.pairs.iter().map(|(k, _)| k)).finish()
    }
}

/// A JSON object read as its key/value pairs in order, repeats included.
struct JsonPairs(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for JsonPairs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = JsonPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, serde_json::Value>()? {
                    pairs.push(pair);
                }
                Ok(JsonPairs(pairs))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A parameter was sent more than once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter '{0}' was sent more than once")]
pub struct Repeated(pub String);

impl From<Repeated> for OAuthError {
    fn from(err: Repeated) -> Self {
        OAuthError::invalid_request(format!("{err} (RFC 6749 §3.1)"))
    }
}

fn decode_component(raw: &[u8]) -> Result<String, OAuthError> {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let valid = raw
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !valid {
                return Err(OAuthError::invalid_request(
                    "malformed percent-encoding in the request",
                ));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let spaced: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    percent_decode(&spaced)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| OAuthError::invalid_request("the request is not valid UTF-8"))
}

impl Params {
    /// Parameters from name/value pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// Parses `application/x-www-form-urlencoded` text (a body or a query string).
    pub fn from_urlencoded(input: &[u8]) -> Result<Self, OAuthError> {
        let mut pairs = Vec::new();
        for piece in input.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, &b""[..]),
            };
            pairs.push((decode_component(name)?, decode_component(value)?));
        }
        Ok(Self { pairs })
    }

    /// Parses a JSON object body. Repeated keys are kept (and so refused by [`Params::get`]);
    /// a plain JSON parser would silently keep only the last one.
    pub fn from_json(input: &[u8]) -> Result<Self, OAuthError> {
        let JsonPairs(object) = serde_json::from_slice(input)
            .map_err(|e| OAuthError::invalid_request(format!("the JSON body must be one object: {e}")))?;
        let mut pairs = Vec::with_capacity(object.len());
        for (name, value) in object {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    return Err(OAuthError::invalid_request(format!(
                        "JSON field '{name}' must be a string"
                    )));
                }
            };
            pairs.push((name, text));
        }
        Ok(Self { pairs })
    }

    /// The single non-empty value of `name`; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Result<Option<&str>, Repeated> {
        let mut found = self.pairs.iter().filter(|(k, v)| k == name && !v.is_empty());
        let first = found.next();
        if found.next().is_some() {
            return Err(Repeated(name.to_owned()));
        }
        Ok(first.map(|(_, v)| v.as_str()))
    }

    /// The first parameter, among `names`, that was sent more than once.
    pub fn first_repeated(&self, names: &[&str]) -> Option<Repeated> {
        names.iter().find_map(|n| self.get(n).err())
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent() {
        let p = Params::from_urlencoded(b"scope=profile+source%3Aw&state=%7B%22a%22%3A1%7D").expect("valid");
        assert_eq!(p.get("scope"), Ok(Some("profile source:w")));
        assert_eq!(p.get("state"), Ok(Some("{\"a\":1}")));
    }

    #[test]
    fn refuses_bad_escapes_and_utf8() {
        assert!(Params::from_urlencoded(b"a=%zz").is_err());
        assert!(Params::from_urlencoded(b"a=%2").is_err());
        assert!(Params::from_urlencoded(b"a=%ff%fe").is_err());
        assert!(Params::from_urlencoded(b"a=\xff").is_err());
    }

    #[test]
    fn repeats_and_empties() {
        let p = Params::from_urlencoded(b"code=a&code=b&state=&x").expect("valid");
        assert_eq!(p.get("code"), Err(Repeated("code".into())));
        assert_eq!(p.get("state"), Ok(None));
        assert_eq!(p.get("x"), Ok(None));
        assert_eq!(
            p.first_repeated(&["state", "code"]),
            Some(Repeated("code".into()))
        );
        // An empty repeat does not count (RFC 6749 §3.1: treated as omitted).
        let p = Params::from_urlencoded(b"code=a&code=").expect("valid");
        assert_eq!(p.get("code"), Ok(Some("a")));
    }

    #[test]
    fn json_objects_of_strings() {
        let p = Params::from_json(br#"{"grant_type":"authorization_code","code":"c","n":5,"z":null}"#)
            .expect("valid");
        assert_eq!(p.get("code"), Ok(Some("c")));
        assert_eq!(p.get("n"), Ok(Some("5")));
        assert_eq!(p.get("z"), Ok(None));
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(br#"{"a":{"b":1}}"#).is_err());
        assert!(Params::from_json(b"{").is_err());
        let dup = Params::from_json(br#"{"code":"a","code":"b"}"#).expect("parses");
        assert_eq!(dup.get("code"), Err(Repeated("code".into())));
    }

    #[test]
    fn debug_shows_names_only() {
        let p = Params::from_urlencoded(b"client_secret=hunter2").expect("valid");
        assert_eq!(format!("{p:?}"), "[\"client_secret\"]");
    }
}
