//! The string formats the mock checks beyond the document's types: addresses ilert mails, calls
//! and texts, and host names it serves status pages under. ilert delivers notifications to these
//! values, so a value it could not deliver to is refused when sent (400 naming the field), as a
//! demanding user expects of the real service, rather than stored and silently never reached.
//! [`super::reconcile::SCHEMA_PATCHES`] puts the formats on the fields; [`super::validate`]
//! checks them.

/// `format: email` (the document's, on a deployment event's `userEmail`; the mock's, on users
/// and e-mail contacts): `local@domain`, with a local part of 1–64 visible characters and a
/// domain of at least two host labels ([`is_host_label`]), at most 254 characters in all.
pub const EMAIL: &str = "email";

/// The mock's `format: phone-number`: a number ilert can call and text, either in E.164 form
/// (`+` and 7–15 digits, no leading zero after the `+`) or in national form (4–15 digits,
/// read with the contact's `regionCode`); spaces, hyphens, dots, slashes and parentheses
/// between digits are allowed.
pub const PHONE_NUMBER: &str = "phone-number";

/// The mock's `format: region-code`: an ISO 3166-1 alpha-2 country code (`DE`, `US`).
pub const REGION_CODE: &str = "region-code";

/// The mock's `format: hostname`: a host name of one or more host labels ([`is_host_label`])
/// separated by dots, at most 253 characters (`example-shop.ilert.io`, `status`).
pub const HOSTNAME: &str = "hostname";

/// Whether `label` is a host label (RFC 1123 §2.1): 1–63 letters, digits and hyphens, neither
/// starting nor ending with a hyphen.
pub fn is_host_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Whether `text` is a [`HOSTNAME`].
pub fn is_hostname(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_host_label)
}

/// Whether `text` is an [`EMAIL`] address.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    text.len() <= 254
        && (1..=64).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_graphic() && b != b'@')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && is_hostname(domain)
}

/// The digits of a [`PHONE_NUMBER`] and whether it is in E.164 form (starts with `+`), or
/// `None` when `text` is no phone number.
pub fn phone_digits(text: &str) -> Option<(String, bool)> {
    let text = text.trim();
    let (international, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '(') {
        return None;
    }
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '/' | '(' | ')' => {}
            _ => return None,
        }
    }
    let ok = if international {
        (7..=15).contains(&digits.len()) && !digits.starts_with('0')
    } else {
        (4..=15).contains(&digits.len())
    };
    ok.then_some((digits, international))
}

/// Whether `text` is a [`PHONE_NUMBER`].
pub fn is_phone_number(text: &str) -> bool {
    phone_digits(text).is_some()
}

/// Whether `text` is a [`REGION_CODE`].
pub fn is_region_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())
}

/// The complaint about a string that does not fit `format`, if the format is one of this
/// module's and the string does not fit it.
pub fn complaint(format: &str, text: &str) -> Option<&'static str> {
    let (ok, what) = match format {
        EMAIL => (
            is_email(text),
            "must be an e-mail address such as name@example.com",
        ),
        PHONE_NUMBER => (
            is_phone_number(text),
            "must be a phone number, best in E.164 form such as +4915123456789",
        ),
        REGION_CODE => (
            is_region_code(text),
            "must be an ISO 3166-1 alpha-2 region code such as DE",
        ),
        HOSTNAME => (
            is_hostname(text),
            "must be a host name of labels of letters, digits and hyphens (1 to 63 each, no hyphen first or last), such as status.example.com",
        ),
        _ => (true, ""),
    };
    (!ok).then_some(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        for ok in ["some.user@example.com", "a+tag@mail.example.co.uk", "x@a-b.io"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "user",
            "user@",
            "@example.com",
            "user@localhost",
            "a b@example.com",
            "user@exa_mple.com",
            "user@-x.com",
            "a..b@example.com",
            "a@b@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn phone_numbers() {
        for ok in [
            "+4915123456789",
            "+1 (555) 010-9999",
            "030 1234567",
            "0151/23456789",
            "+49 30 123456",
        ] {
            assert!(is_phone_number(ok), "{ok}");
        }
        for bad in [
            "",
            "+",
            "+0049123456",
            "call me",
            "+49 30 12x456",
            "12",
            "+1234567890123456",
            "++4930123456",
            "-4930",
        ] {
            assert!(!is_phone_number(bad), "{bad}");
        }
        assert_eq!(
            phone_digits("+49 (30) 123-456"),
            Some(("4930123456".to_owned(), true))
        );
    }

    #[test]
    fn host_names_and_region_codes() {
        for ok in ["example-shop.ilert.io", "status", "a", "x1.y2"] {
            assert!(is_hostname(ok), "{ok}");
        }
        let long = "a".repeat(64);
        for bad in [
            "",
            "-shop.ilert.io",
            "shop-.ilert.io",
            "shop..ilert.io",
            "shop_page",
            "shop page",
            long.as_str(),
            "ilert.io.",
        ] {
            assert!(!is_hostname(bad), "{bad}");
        }
        assert!(is_region_code("DE") && !is_region_code("de") && !is_region_code("DEU"));
        assert_eq!(complaint("date-time", "whatever"), None);
    }
}
