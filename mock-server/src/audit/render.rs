//! A report for people and for CI: the table `ilert-mock audit` prints (and a failing test's
//! message shows), and JUnit XML, in the conformance suite's conventions: one `<testsuite>` per
//! app, one `<testcase>` per rule, a `<failure>` for findings at or above the failing severity,
//! and findings below it in `<system-out>` of a passing case.

use std::fmt::Write as _;

use super::report::{Finding, Report, Severity};
use super::rules::RULES;

/// The most characters of one value (an app, a user) the table and the words show.
const SHOWN_CHARS: usize = 200;

/// A value as a terminal may show it: every control character (C0, DEL, C1: ESC, CR, BEL, the
/// OSC 8 link opener, newlines) and every bidirectional override written as an escape (`\x1b`,
/// `\u{202e}`), never sent raw, and cut at `SHOWN_CHARS` characters. Values come from
/// requests (a client id, a username, a redirect URI), so a client must not be able to clear
/// the screen, draw a fake "passed" line or plant a link in the reader's terminal.
pub fn shown(text: &str) -> String {
    escaped(text, Some(SHOWN_CHARS))
}

/// [`shown`] without the cut: the mock's own texts (titles, advice) may be long, but a value
/// quoted in them is escaped all the same.
fn shown_all(text: &str) -> String {
    escaped(text, None)
}

fn escaped(text: &str, limit: Option<usize>) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if Some(n) == limit {
            let _ = write!(out, "…[{} chars in all]", text.chars().count());
            break;
        }
        match c {
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if ('\u{80}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || matches!(
                    c,
                    '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn shown_opt(text: Option<&str>, none: &str) -> String {
    text.map_or_else(|| none.to_owned(), shown)
}

/// `#3, #5, #9` (and `… (N in all)` when the list was cut).
fn request_list(finding: &Finding) -> String {
    let mut text = finding
        .requests
        .iter()
        .map(|seq| format!("#{seq}"))
        .collect::<Vec<_>>()
        .join(", ");
    if finding.count > finding.requests.len() {
        let _ = write!(text, ", … ({} in all)", finding.count);
    }
    if text.is_empty() {
        text.push_str("(registration)");
    }
    text
}

/// One finding in words: severity, id, title, then app and user, requests, source and advice.
pub fn finding_text(finding: &Finding) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} — {}",
        finding.severity.as_str().to_uppercase(),
        shown(&finding.id),
        shown_all(&finding.title)
    );
    let app = shown_opt(finding.app.as_deref(), "(unknown)");
    match &finding.user {
        Some(user) => {
            let _ = writeln!(out, "  app:      {app} (user {})", shown(user));
        }
        None => {
            let _ = writeln!(out, "  app:      {app}");
        }
    }
    let _ = writeln!(out, "  requests: {}", request_list(finding));
    let _ = writeln!(out, "  source:   {}", shown_all(&finding.source));
    let _ = writeln!(out, "  advice:   {}", shown_all(&finding.advice));
    out
}

impl Report {
    /// `1 error, 2 warnings, 0 info in 57 requests of 2 apps`.
    pub fn closing_line(&self) -> String {
        let c = self.counts;
        let plural = |n: usize, one: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {one}s")
            }
        };
        let mut line = format!(
            "{}, {}, {} info in {} of {}",
            plural(c.error, "error"),
            plural(c.warning, "warning"),
            c.info,
            plural(usize::try_from(self.requests).unwrap_or(usize::MAX), "request"),
            plural(self.apps.len(), "app"),
        );
        if self.requests_dropped > 0 {
            let _ = write!(
                line,
                " ({} dropped by the audit's bound: findings may be missing)",
                self.requests_dropped
            );
        }
        line
    }

    /// The table: one row a finding, then each finding in words, then the closing line.
    pub fn table(&self) -> String {
        let width =
            |f: fn(&Finding) -> usize, min: usize| self.findings.iter().map(f).max().unwrap_or(0).max(min);
        let id_w = width(|f| shown(&f.id).chars().count(), 2);
        let app_w = width(|f| shown_opt(f.app.as_deref(), "-").chars().count(), 3);
        let user_w = width(|f| shown_opt(f.user.as_deref(), "-").chars().count(), 4);
        let mut out = String::new();
        if self.findings.is_empty() {
            out.push_str("no findings\n");
        } else {
            let _ = writeln!(
                out,
                "{:<8}  {:<id_w$}  {:<app_w$}  {:<user_w$}  requests",
                "severity", "id", "app", "user"
            );
            let _ = writeln!(out, "{}", "-".repeat(8 + id_w + app_w + user_w + 18));
            for f in &self.findings {
                let _ = writeln!(
                    out,
                    "{:<8}  {:<id_w$}  {:<app_w$}  {:<user_w$}  {}",
                    f.severity.as_str(),
                    shown(&f.id),
                    shown_opt(f.app.as_deref(), "-"),
                    shown_opt(f.user.as_deref(), "-"),
                    request_list(f)
                );
            }
            for f in &self.findings {
                out.push('\n');
                out.push_str(&finding_text(f));
            }
        }
        if self.requests == 0 {
            out.push_str(
                "\nnote: the mock saw no request since the audit started: did the tests run against this mock?\n",
            );
        }
        out.push('\n');
        out.push_str(&self.closing_line());
        out.push('\n');
        out
    }

    /// The report as `ilert-mock audit --json` writes it: the tool, the mock, the threshold and
    /// whether the run passed, then the report's own fields.
    pub fn ci_json(&self, base_url: &str, fail_on: Severity) -> serde_json::Value {
        let mut value = serde_json::json!({
            "tool": concat!("ilert-mock audit ", env!("CARGO_PKG_VERSION")),
            "base_url": base_url,
            "fail_on": fail_on,
            "passed": self.at_or_above(fail_on).is_empty(),
        });
        if let (Some(doc), Ok(serde_json::Value::Object(fields))) =
            (value.as_object_mut(), serde_json::to_value(self))
        {
            doc.extend(fields);
        }
        value
    }

    /// The report as JUnit XML: findings at `fail_on` or above fail their rule's test case.
    pub fn junit(&self, fail_on: Severity) -> String {
        let mut suites: Vec<Option<&str>> = self.apps.iter().map(|a| Some(a.as_str())).collect();
        for f in &self.findings {
            if !suites.contains(&f.app.as_deref()) {
                suites.push(f.app.as_deref());
            }
        }
        if suites.is_empty() {
            suites.push(None);
        }
        let found = |app: Option<&str>, id: &str| -> Vec<&Finding> {
            self.findings
                .iter()
                .filter(|f| f.id == id && f.app.as_deref() == app)
                .collect()
        };
        let fails = |found: &[&Finding]| found.iter().any(|f| f.severity >= fail_on);
        let failures: usize = suites
            .iter()
            .map(|app| RULES.iter().filter(|r| fails(&found(*app, r.id))).count())
            .sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"ilert-mock audit\" tests=\"{}\" failures=\"{failures}\">",
            suites.len() * RULES.len()
        );
        for app in suites {
            let name = xml(&shown_opt(app, "(unknown app)"));
            let failed = RULES.iter().filter(|r| fails(&found(app, r.id))).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
                RULES.len()
            );
            for rule in RULES {
                let found = found(app, rule.id);
                let _ = write!(
                    out,
                    "    <testcase classname=\"ilert-mock-audit.{name}\" name=\"{}\">",
                    rule.id
                );
                let text: String = found.iter().map(|f| finding_text(f)).collect();
                let failing: Vec<&&Finding> = found.iter().filter(|f| f.severity >= fail_on).collect();
                if let Some(worst) = failing.iter().map(|f| f.severity).max() {
                    let _ = write!(
                        out,
                        "<failure message=\"{}\" type=\"{worst}\">{}</failure>",
                        xml(&failing[0].title),
                        xml(&text)
                    );
                } else if !found.is_empty() {
                    let _ = write!(out, "<system-out>{}</system-out>", xml(&text));
                }
                out.push_str("</testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

/// Escapes text for XML attributes and content; characters XML 1.0 forbids even when escaped
/// (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF; XML 1.0 §2.2 `Char`)
/// become `?`.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .map(|c| {
            let forbidden = ((c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t'))
                || matches!(c, '\u{fffe}' | '\u{ffff}');
            if forbidden { '?' } else { c }
        })
        .collect();
    html_escape::encode_quoted_attribute(&allowed).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let finding = |id: &str, severity| Finding {
            id: id.into(),
            severity,
            app: Some("app-1".into()),
            user: Some("someUser".into()),
            title: "a <title> & more".into(),
            advice: "do it".into(),
            source: "RFC 6749 §4.1.2".into(),
            requests: vec![3, 5],
            count: 3,
        };
        Report::new(
            12,
            0,
            vec!["app-1".into()],
            vec![
                finding("CODE_REUSED", Severity::Error),
                finding("SCOPE_UNUSED", Severity::Info),
            ],
        )
    }

    #[test]
    fn the_table_lists_rows_then_words_then_the_closing_line() {
        let table = report().table();
        assert!(table.starts_with("severity  id"), "{table}");
        assert!(table.contains("error     CODE_REUSED"), "{table}");
        assert!(table.contains("#3, #5, … (3 in all)"), "{table}");
        assert!(table.contains("ERROR CODE_REUSED — a <title> & more"), "{table}");
        assert!(table.contains("  source:   RFC 6749 §4.1.2"), "{table}");
        assert!(
            table.ends_with("1 error, 0 warnings, 1 info in 12 requests of 1 app\n"),
            "{table}"
        );
        let empty = Report::default().table();
        assert!(
            empty.starts_with("no findings") && empty.contains("did the tests run"),
            "{empty}"
        );
    }

    #[test]
    fn junit_fails_the_rules_at_or_above_the_threshold() {
        let xml_text = report().junit(Severity::Warning);
        assert!(
            xml_text.contains(&format!(
                "<testsuites name=\"ilert-mock audit\" tests=\"{}\" failures=\"1\">",
                RULES.len()
            )),
            "{xml_text}"
        );
        assert!(xml_text.contains(
            "name=\"CODE_REUSED\"><failure message=\"a &lt;title&gt; &amp; more\" type=\"error\">"
        ));
        assert!(xml_text.contains("name=\"SCOPE_UNUSED\"><system-out>INFO SCOPE_UNUSED"));
        assert!(xml_text.contains("name=\"NO_STATE\"></testcase>"));
        let lenient = report().junit(Severity::Error);
        assert!(lenient.contains("failures=\"1\""));
        assert_eq!(xml("a\u{1}b\"c'"), "a?b&quot;c&#x27;");
        assert_eq!(xml("a\u{fffe}b\u{ffff}"), "a?b?");
    }

    #[test]
    fn values_reach_the_terminal_as_escapes() {
        assert_eq!(shown("a\u{1b}[2Jb\rc\nd"), "a\\x1b[2Jb\\x0dc\\x0ad");
        assert_eq!(shown("\u{1b}]8;;http://x\u{7}"), "\\x1b]8;;http://x\\x07");
        assert_eq!(shown("\u{9b}\u{202e}ok"), "\\u{9b}\\u{202e}ok");
        let long = "x".repeat(1000);
        assert!(shown(&long).ends_with("…[1000 chars in all]"));
    }
}
