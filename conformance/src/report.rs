//! The results of a run: a table for people, JSON for tools, JUnit XML for CI dashboards.
//!
//! The JUnit file is written by hand (one `<testsuite>` per area, one `<testcase>` per case,
//! `<failure>` for failures, `<skipped>` for skips; a failed warning passes with the finding in
//! `<system-out>`), so no XML crate is needed for a dozen elements.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::case::{Area, Case, Failure, Severity, Source, Tag};
/// A case's transcript: what [`CaseReport::transcript`] holds.
pub use crate::view::{Entry, Exchange, RequestView, ResponseView};

/// The result of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check held.
    Passed,
    /// A check of a failure-severity case did not hold.
    Failed,
    /// A check of a warning-severity case did not hold.
    Warned,
    /// The case could not run against this target.
    Skipped,
}

impl Verdict {
    /// The word in the table.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Passed => "pass",
            Verdict::Failed => "FAIL",
            Verdict::Warned => "warn",
            Verdict::Skipped => "skip",
        }
    }
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// Case id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Area.
    pub area: Area,
    /// Source of the rule.
    pub source: Source,
    /// Severity.
    pub severity: Severity,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Result.
    pub verdict: Verdict,
    /// Why it was skipped, or what was expected when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Sent, expected, got — when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// How long it took.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Every recorded exchange and step.
    pub transcript: Vec<Entry>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl CaseReport {
    pub(crate) fn new(
        case: &Case,
        verdict: Verdict,
        reason: Option<String>,
        failure: Option<Failure>,
        duration: Duration,
        transcript: Vec<Entry>,
    ) -> Self {
        Self {
            id: case.id,
            title: case.title,
            area: case.area,
            source: case.source,
            severity: case.severity,
            tags: case.tags.to_vec(),
            verdict,
            reason,
            failure,
            duration,
            transcript,
        }
    }

    pub(crate) fn skipped(case: &Case, reason: String) -> Self {
        Self::new(
            case,
            Verdict::Skipped,
            Some(reason),
            None,
            Duration::ZERO,
            Vec::new(),
        )
    }
}

/// Counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Failed (failure severity).
    pub failed: usize,
    /// Failed warnings.
    pub warned: usize,
    /// Skipped.
    pub skipped: usize,
}

/// The results of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The server tested.
    pub base_url: String,
    /// Whether it had the mock's `/_mock/` controls.
    pub control: bool,
    /// How long the run took.
    pub duration: Duration,
    /// One result per selected case, in catalogue order.
    pub cases: Vec<CaseReport>,
    /// On a mock: the tag in the names of the apps and users the suite registered for the run.
    pub run_tag: Option<String>,
    /// On a mock: what the suite registered and could not remove afterwards (empty when the
    /// mock's apps and users are as the run found them).
    pub leftovers: Vec<String>,
}

impl Report {
    /// Counts by verdict.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for case in &self.cases {
            match case.verdict {
                Verdict::Passed => c.passed += 1,
                Verdict::Failed => c.failed += 1,
                Verdict::Warned => c.warned += 1,
                Verdict::Skipped => c.skipped += 1,
            }
        }
        c
    }

    /// Whether no failure-severity case failed (exit code 0).
    pub fn ok(&self) -> bool {
        self.counts().failed == 0 && self.leftovers.is_empty()
    }

    /// The cases with a verdict.
    pub fn with_verdict(&self, verdict: Verdict) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(move |c| c.verdict == verdict)
    }

    /// Every case that did not pass (failed, warned or skipped), each in [`failure_text`]'s words;
    /// empty when every case passed. For a test that wants the whole suite to pass:
    /// `let text = report.not_passed_text(); assert!(text.is_empty(), "{text}");`.
    pub fn not_passed_text(&self) -> String {
        self.cases
            .iter()
            .filter(|c| c.verdict != Verdict::Passed)
            .map(failure_text)
            .chain(self.leftovers_text())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What the suite left on the mock, in words; `None` when it left nothing.
    pub fn leftovers_text(&self) -> Option<String> {
        (!self.leftovers.is_empty()).then(|| {
            format!(
                "LEFT ON THE MOCK: the suite could not remove what it registered:\n  {}",
                self.leftovers.join("\n  ")
            )
        })
    }

    /// The closing line, `N passed, N failed, N skipped` (failed warnings are listed above it).
    pub fn closing_line(&self) -> String {
        let c = self.counts();
        format!("{} passed, {} failed, {} skipped", c.passed, c.failed, c.skipped)
    }

    /// The table: id, result, time; then every failure with what was sent, expected and got.
    pub fn table(&self) -> String {
        let width = self.cases.iter().map(|c| c.id.len()).max().unwrap_or(2).max(2);
        let mut out = String::new();
        let _ = writeln!(out, "{:<width$}  {:<6}  {:>8}", "id", "result", "time");
        let _ = writeln!(out, "{}", "-".repeat(width + 18));
        for c in &self.cases {
            let time = if c.verdict == Verdict::Skipped {
                "-".to_owned()
            } else {
                format!("{} ms", c.duration.as_millis())
            };
            let _ = writeln!(out, "{:<width$}  {:<6}  {:>8}", c.id, c.verdict.word(), time);
        }
        for c in self
            .cases
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Failed | Verdict::Warned))
        {
            out.push('\n');
            out.push_str(&failure_text(c));
        }
        out
    }

    /// The whole report as JSON. Transcripts are included for failed cases only.
    pub fn to_json(&self) -> Value {
        let c = self.counts();
        let cases: Vec<Value> = self
            .cases
            .iter()
            .map(|case| {
                let mut v = serde_json::to_value(case).unwrap_or(Value::Null);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("source".to_owned(), Value::String(case.source.to_string()));
                    obj.insert(
                        "source_kind".to_owned(),
                        serde_json::to_value(case.source.kind).unwrap_or(Value::Null),
                    );
                    obj.insert(
                        "tags".to_owned(),
                        Value::Array(case.tags.iter().map(|t| Value::String(t.to_string())).collect()),
                    );
                    if !matches!(case.verdict, Verdict::Failed | Verdict::Warned) {
                        obj.remove("transcript");
                    }
                }
                v
            })
            .collect();
        json!({
            "tool": concat!("ilert-conformance ", env!("CARGO_PKG_VERSION")),
            "base_url": self.base_url,
            "mock_controls": self.control,
            "run_tag": self.run_tag,
            "leftovers": self.leftovers,
            "duration_ms": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "summary": {
                "total": self.cases.len(),
                "passed": c.passed,
                "failed": c.failed,
                "warnings": c.warned,
                "skipped": c.skipped,
            },
            "cases": cases,
        })
    }

    /// The report as JUnit XML.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let Counts { failed, skipped, .. } = self.counts();
        let (tests, time) = (self.cases.len(), self.duration.as_secs_f64());
        let _ = writeln!(
            out,
            "<testsuites name=\"ilert-conformance\" tests=\"{tests}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{time:.3}\">"
        );
        for area in Area::ALL {
            let cases: Vec<&CaseReport> = self.cases.iter().filter(|c| c.area == area).collect();
            if cases.is_empty() {
                continue;
            }
            let failures = cases.iter().filter(|c| c.verdict == Verdict::Failed).count();
            let skipped = cases.iter().filter(|c| c.verdict == Verdict::Skipped).count();
            let time: f64 = cases.iter().map(|c| c.duration.as_secs_f64()).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{area}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time:.3}\">",
                cases.len()
            );
            for case in cases {
                let _ = write!(
                    out,
                    "    <testcase classname=\"ilert-conformance.{area}\" name=\"{}\" time=\"{:.3}\">",
                    xml(case.id),
                    case.duration.as_secs_f64()
                );
                let _ = write!(
                    out,
                    "<properties><property name=\"title\" value=\"{}\"/><property name=\"source\" value=\"{}\"/><property name=\"severity\" value=\"{}\"/></properties>",
                    xml(case.title),
                    xml(&case.source.to_string()),
                    match case.severity {
                        Severity::Failure => "failure",
                        Severity::Warning => "warning",
                    }
                );
                match case.verdict {
                    Verdict::Passed => {}
                    Verdict::Failed => {
                        let _ = write!(
                            out,
                            "<failure message=\"{}\" type=\"{}\">{}</failure>",
                            xml(case.reason.as_deref().unwrap_or("failed")),
                            xml(case.id),
                            xml(&failure_text(case))
                        );
                    }
                    Verdict::Warned => {
                        let _ = write!(
                            out,
                            "<system-out>WARNING\n{}</system-out>",
                            xml(&failure_text(case))
                        );
                    }
                    Verdict::Skipped => {
                        let _ = write!(
                            out,
                            "<skipped message=\"{}\"/>",
                            xml(case.reason.as_deref().unwrap_or("skipped"))
                        );
                    }
                }
                out.push_str("</testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

/// A case that did not pass, in words: verdict, id, title, source, then sent, expected and got
/// (or why it was skipped).
pub fn failure_text(case: &CaseReport) -> String {
    let mut out = String::new();
    let label = match case.verdict {
        Verdict::Passed => "PASSED",
        Verdict::Failed => "FAILED",
        Verdict::Warned => "WARNING",
        Verdict::Skipped => "SKIPPED",
    };
    let _ = writeln!(out, "{label} {} — {}", case.id, case.title);
    let _ = writeln!(out, "  source:   {}", case.source);
    if let Some(f) = &case.failure {
        if let Some(sent) = &f.sent {
            let _ = writeln!(out, "  sent:     {}", compact(sent));
        }
        let _ = writeln!(out, "  expected: {}", f.expected);
        let _ = writeln!(out, "  got:      {}", compact(&f.got));
    } else if let Some(reason) = &case.reason {
        let _ = writeln!(out, "  reason:   {reason}");
    }
    out
}

/// One-line JSON, shortened past 1,500 characters.
fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 1500 {
        let cut: String = text.chars().take(1500).collect();
        format!("{cut}… ({} characters)", text.len())
    } else {
        text
    }
}

/// XML-escapes text for attributes and element content.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{CaseReport, Report, Verdict, xml};

    #[test]
    fn xml_escapes() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;?");
    }

    #[test]
    fn not_passed_text_lists_every_case_that_did_not_pass_and_nothing_else() {
        let catalogue = crate::cases::all();
        let [passed, failed, skipped, ..] = catalogue.as_slice() else {
            panic!("the catalogue has at least three cases");
        };
        let case = |c, verdict, reason: &str| {
            CaseReport::new(
                c,
                verdict,
                Some(reason.to_owned()),
                None,
                Duration::ZERO,
                Vec::new(),
            )
        };
        let mut report = Report {
            base_url: "http://127.0.0.1:1".to_owned(),
            control: true,
            duration: Duration::ZERO,
            cases: vec![case(passed, Verdict::Passed, "")],
            run_tag: None,
            leftovers: Vec::new(),
        };
        assert_eq!(report.not_passed_text(), "");
        report.cases.push(case(failed, Verdict::Failed, "a 401"));
        report
            .cases
            .push(CaseReport::skipped(skipped, "needs a browser".to_owned()));
        let text = report.not_passed_text();
        assert!(!text.contains(passed.id), "{text}");
        assert!(text.contains(&format!("FAILED {}", failed.id)), "{text}");
        assert!(text.contains("reason:   a 401"), "{text}");
        assert!(text.contains(&format!("SKIPPED {}", skipped.id)), "{text}");
        assert!(text.contains("reason:   needs a browser"), "{text}");
    }
}
