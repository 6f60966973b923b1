//! Results: one line per test, the closing count, JUnit XML, `REPORT.md`
//! and the baseline of passing tests.

use crate::prereq::SkipKind;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// The first failed step and why.
    Fail {
        step: String,
        reason: String,
    },
    Skip {
        kind: SkipKind,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// `dir/file.yml::test name`.
    pub id: String,
    pub file: String,
    pub name: String,
    pub outcome: Outcome,
    /// APIs that answered "not implemented" during the test.
    pub not_built: Vec<String>,
}

impl TestResult {
    pub fn line(&self) -> String {
        match &self.outcome {
            Outcome::Pass => format!("PASS {}", self.id),
            Outcome::Fail { step, reason } => format!("FAIL {} [{step}] {reason}", self.id),
            Outcome::Skip { reason, .. } => format!("SKIP {} ({reason})", self.id),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> Counts {
        let mut c = Counts::default();
        for r in results {
            match r.outcome {
                Outcome::Pass => c.passed += 1,
                Outcome::Fail { .. } => c.failed += 1,
                Outcome::Skip { .. } => c.skipped += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }

    /// The closing line test tools read.
    pub fn closing_line(&self) -> String {
        format!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: a suite per file, a case per test section.
pub fn junit(results: &[TestResult]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&TestResult>> = BTreeMap::new();
    for r in results {
        by_file.entry(&r.file).or_default().push(r);
    }
    let all = Counts::of(results);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        all.total(),
        all.failed,
        all.skipped
    );
    for (file, list) in by_file {
        let c = Counts::of(list.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            xml(file),
            c.total(),
            c.failed,
            c.skipped
        );
        for r in list {
            let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", xml(file), xml(&r.name));
            match &r.outcome {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail { step, reason } => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(step),
                        xml(reason)
                    );
                }
                Outcome::Skip { reason, .. } => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", xml(reason));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The API group of a test file: its first folder after `core/` or
/// `clients/`, up to the first dot (`indices.create` -> `indices`).
fn group(file: &str) -> String {
    let mut parts = file.split('/');
    let _suite = parts.next();
    let dir = parts.next().unwrap_or_default().trim_end_matches(".yml");
    dir.split('.').next().unwrap_or(dir).to_owned()
}

fn directory(file: &str) -> String {
    file.rsplit_once('/').map_or(file, |(d, _)| d).to_owned()
}

fn rate(c: &Counts) -> String {
    if c.total() == 0 {
        return "-".into();
    }
    format!("{:.1}%", 100.0 * c.passed as f64 / c.total() as f64)
}

/// The tests read at an old commit that assert what Elasticsearch 9 no
/// longer does, with the evidence (`stale.tsv`): they count as not passed.
const STALE: &str = include_str!("../stale.tsv");

/// The stale tests' ids and evidence.
pub fn stale() -> Vec<(&'static str, &'static str)> {
    STALE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split_once('\t')).collect()
}

/// Failing tests whose cause is known and is no missing feature
/// (`known.tsv`): Elasticsearch's test cluster, or a design difference.
const KNOWN: &str = include_str!("../known.tsv");

/// The known failures' ids and causes.
pub fn known() -> Vec<(&'static str, &'static str)> {
    KNOWN.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split_once('\t')).collect()
}

/// `REPORT.md`: the headline pass rate (passed over all tests), per API
/// group and per directory, skips grouped by reason, the unbuilt APIs
/// that failing tests called, and the stale tests.
pub fn markdown(results: &[TestResult]) -> String {
    let all = Counts::of(results);
    let mut out = String::from("# Conformance report\n\nThe official Elasticsearch REST YAML tests replayed against Tensile by `cargo xtask conformance`. ");
    let _ = writeln!(out, "A skipped test is not a passed one: the pass rate is passed over all tests.\n");
    let _ = writeln!(
        out,
        "**{} of {} tests pass ({}).** {} fail, {} are skipped.\n",
        all.passed,
        all.total(),
        rate(&all),
        all.failed,
        all.skipped
    );

    for (title, key) in [("API group", group as fn(&str) -> String), ("directory", directory as fn(&str) -> String)] {
        let mut groups: BTreeMap<String, Vec<&TestResult>> = BTreeMap::new();
        for r in results {
            groups.entry(key(&r.file)).or_default().push(r);
        }
        let _ = writeln!(
            out,
            "## By {}\n\n| {} | passed | failed | skipped | pass rate |\n|---|---:|---:|---:|---:|",
            title, title
        );
        for (name, list) in groups {
            let c = Counts::of(list.iter().copied());
            let _ = writeln!(out, "| {name} | {} | {} | {} | {} |", c.passed, c.failed, c.skipped, rate(&c));
        }
        out.push('\n');
    }

    let mut skips: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results {
        if let Outcome::Skip { kind, .. } = &r.outcome {
            *skips.entry(kind.label()).or_default() += 1;
        }
    }
    out.push_str("## Skipped, by reason\n\n| reason | tests |\n|---|---:|\n");
    for (label, n) in skips {
        let _ = writeln!(out, "| {label} | {n} |");
    }

    let mut unbuilt: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results.iter().filter(|r| matches!(r.outcome, Outcome::Fail { .. })) {
        for api in &r.not_built {
            *unbuilt.entry(api.as_str()).or_default() += 1;
        }
    }
    let mut unbuilt: Vec<(&str, usize)> = unbuilt.into_iter().collect();
    unbuilt.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.push_str("\n## Failing tests by the unbuilt API they call\n\n| API | failing tests |\n|---|---:|\n");
    for (api, n) in unbuilt {
        let _ = writeln!(out, "| {api} | {n} |");
    }
    document_and_index_failures(results, &mut out);
    search_failures(results, &mut out);
    let _ = writeln!(
        out,
        "\n## Stale tests\n\nRead at an older commit, they assert what Elasticsearch 9 no longer does (or send a request no Elasticsearch takes); Elasticsearch 9 wins and they count as not passed (`conformance/stale.tsv`).\n"
    );
    for (id, evidence) in stale() {
        let _ = writeln!(out, "- `{id}`: {evidence}");
    }
    out
}

/// The directories of the document and index APIs, whose failing tests
/// the report names one by one.
const DOCUMENT_AND_INDEX: &[&str] =
    &["index", "create", "get", "get_source", "exists", "exists_source", "delete", "update", "mget", "bulk", "indices"];

fn is_document_or_index(file: &str) -> bool {
    let dir = directory(file);
    let name = dir.rsplit('/').next().unwrap_or(&dir);
    DOCUMENT_AND_INDEX.iter().any(|d| name == *d || name.strip_prefix(d).is_some_and(|rest| rest.starts_with('.')))
}

/// Features of later issues, each by what names it in a failing step (an
/// unbuilt API's name, or words of the answer): a test that fails on one
/// of them says so.
const LATER: &[(&str, &str)] = &[
    ("security.", "the security APIs"),
    ("data_stream", "data streams"),
    ("data_lifecycle", "data streams"),
    ("the [aggs] option", "aggregations"),
    ("search.aggs.", "aggregations"),
    ("index.time_series", "time-series indices"),
    ("[dense_vector]", "vector fields"),
    ("[sparse_vector]", "vector fields"),
    ("script", "scripting"),
    ("runtime_mappings", "scripting (runtime fields)"),
];

/// The later issue's feature a failing test needs, if any.
fn later_feature(r: &TestResult) -> Option<&'static str> {
    let Outcome::Fail { reason, .. } = &r.outcome else { return None };
    LATER
        .iter()
        .find(|(needle, _)| r.not_built.iter().any(|api| api.contains(needle)) || reason.contains(needle))
        .map(|(_, feature)| *feature)
}

/// Why a test fails, in a few words: the feature of a later issue it
/// needs, when it needs one, before the step that fails.
fn failure_reason(r: &TestResult) -> String {
    let reason = step_reason(r);
    match later_feature(r) {
        Some(feature) if !reason.starts_with("stale") && !reason.starts_with("known") => {
            format!("needs {feature} (a later issue): {reason}")
        }
        _ => reason,
    }
}

/// The failing step, or what is known of the failure.
fn step_reason(r: &TestResult) -> String {
    let Outcome::Fail { step, reason } = &r.outcome else { return String::new() };
    // A listed cause says more than the 501 a newer feature meets.
    if let Some((_, evidence)) = stale().into_iter().find(|(id, _)| *id == r.id) {
        return format!("stale: {evidence}");
    }
    if let Some((_, cause)) = known().into_iter().find(|(id, _)| *id == r.id) {
        return format!("known: {cause}");
    }
    if !r.not_built.is_empty() {
        // The part not built, as the server's 501 names it, when the step says.
        let named = reason
            .split_once("\"reason\":\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(said, _)| said)
            .filter(|said| said.contains("not implemented by Tensile yet"));
        if let (Some(said), [api]) = (named, r.not_built.as_slice()) {
            return format!("`{api}` answered 501: {said}");
        }
        let apis: Vec<String> = r.not_built.iter().map(|a| format!("`{a}`")).collect();
        return format!("calls {}, not built yet", apis.join(", "));
    }
    if reason.contains("cluster.health answered 408") {
        return "waits for a green cluster: its replicas need a second node".into();
    }
    let short: String = reason.chars().take(180).collect();
    format!("{step}: {}", short.replace('|', "\\|").replace('\n', " "))
}

/// The directories of the search APIs, whose failing tests the report
/// names one by one (those of aggregations, a later issue, counted).
const SEARCH: &[&str] = &[
    "search",
    "count",
    "msearch",
    "scroll",
    "explain",
    "field_caps",
    "suggest",
    "termvectors",
    "mtermvectors",
    "validate_query",
    "search_shards",
    "point_in_time",
];

fn is_search(file: &str) -> bool {
    let dir = directory(file);
    let name = dir.rsplit('/').next().unwrap_or(&dir);
    SEARCH.iter().any(|d| name == *d || name.strip_prefix(d).is_some_and(|rest| rest.starts_with('.')))
}

fn is_aggregation(file: &str) -> bool {
    directory(file).ends_with("search.aggregation")
}

/// The failing tests of the document and index APIs with their reasons.
fn document_and_index_failures(results: &[TestResult], out: &mut String) {
    named_failures(results, "the document and index APIs", &is_document_or_index, out);
}

/// The failing tests of the search APIs with their reasons, but those of
/// aggregations, counted.
fn search_failures(results: &[TestResult], out: &mut String) {
    named_failures(results, "the search APIs", &|f: &str| is_search(f) && !is_aggregation(f), out);
    let aggregations =
        results.iter().filter(|r| matches!(r.outcome, Outcome::Fail { .. }) && is_aggregation(&r.file)).count();
    let _ = writeln!(
        out,
        "\nAnd {aggregations} tests of `search.aggregation`, which need aggregations (a later issue; `aggs` answers 501 until then).",
    );
}

/// Each failing test of some directories, with the first step that fails.
fn named_failures(results: &[TestResult], what: &str, of: &dyn Fn(&str) -> bool, out: &mut String) {
    let failing: Vec<&TestResult> =
        results.iter().filter(|r| matches!(r.outcome, Outcome::Fail { .. }) && of(&r.file)).collect();
    let _ = writeln!(
        out,
        "\n## Failing tests of {what}\n\n{} tests, each with the first step that fails.\n",
        failing.len()
    );
    for r in failing {
        let _ = writeln!(out, "- `{}`: {}", r.id, failure_reason(r));
    }
}

/// The baseline file: the ids of passing tests, sorted, one a line.
pub fn baseline(results: &[TestResult]) -> String {
    let mut ids: Vec<&str> = results.iter().filter(|r| r.outcome == Outcome::Pass).map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let mut out =
        String::from("# Conformance tests that pass; regenerate with `cargo xtask conformance --update-baseline`.\n");
    for id in ids {
        out.push_str(id);
        out.push('\n');
    }
    out
}

/// The ids of a baseline file.
pub fn read_baseline(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, outcome: Outcome) -> TestResult {
        let (file, name) = id.split_once("::").unwrap();
        TestResult { id: id.into(), file: file.into(), name: name.into(), outcome, not_built: vec!["search".into()] }
    }

    #[test]
    fn reports() {
        let results = vec![
            result("core/search/10.yml::a", Outcome::Pass),
            result("core/search/10.yml::b <&>", Outcome::Fail { step: "do search".into(), reason: "501".into() }),
            result("clients/info.yml::c", Outcome::Skip { kind: SkipKind::RunnerFeature, reason: "x".into() }),
        ];
        let c = Counts::of(&results);
        assert_eq!(c.closing_line(), "1 passed, 1 failed, 1 skipped");
        let xml = junit(&results);
        assert!(xml.contains("b &lt;&amp;&gt;"));
        assert!(xml.contains("<skipped message=\"x\"/>"));
        let md = markdown(&results);
        assert!(md.contains("**1 of 3 tests pass (33.3%).**"));
        assert!(md.contains("| search | 1 | 1 | 0 | 50.0% |"));
        assert!(md.contains("| runner feature missing | 1 |"));
        assert_eq!(read_baseline(&baseline(&results)), vec!["core/search/10.yml::a".to_owned()]);
        let failing = vec![
            result("core/get/10.yml::x", Outcome::Fail { step: "do search".into(), reason: "501".into() }),
            result("core/indices.stats/10.yml::y", Outcome::Fail { step: "match".into(), reason: "was 1".into() }),
        ];
        let md = markdown(&failing);
        assert!(md.contains("- `core/get/10.yml::x`: calls `search`, not built yet"), "{md}");
        assert!(md.contains("- `core/indices.stats/10.yml::y`: calls `search`"));
    }

    #[test]
    fn stale_tests_name_tests_and_evidence() {
        let stale = stale();
        assert!(!stale.is_empty());
        for (id, evidence) in stale {
            assert!(id.starts_with("core/") && id.contains(".yml::"), "{id}");
            assert!(!evidence.trim().is_empty(), "{id}");
        }
    }

    #[test]
    fn known_failures_name_tests_and_causes() {
        let known = known();
        assert!(!known.is_empty());
        for (id, cause) in known {
            assert!(id.contains(".yml::") && !cause.trim().is_empty(), "{id}");
            assert!(!stale().iter().any(|(s, _)| *s == id), "{id} is both stale and known");
        }
    }

    #[test]
    fn failures_name_the_later_feature_they_need() {
        let mut security =
            result("core/indices.get_alias/10.yml::x", Outcome::Fail { step: "do".into(), reason: "501".into() });
        security.not_built = vec!["security.put_role".into()];
        let aggs = result(
            "core/index/90.yml::y",
            Outcome::Fail {
                step: "do search".into(),
                reason: "the [aggs] option of [search] is not implemented".into(),
            },
        );
        let plain = result("core/index/91.yml::z", Outcome::Fail { step: "match".into(), reason: "was 1".into() });
        assert!(failure_reason(&security).starts_with("needs the security APIs (a later issue): "));
        assert!(failure_reason(&aggs).starts_with("needs aggregations (a later issue): "));
        assert!(!failure_reason(&plain).starts_with("needs"));
    }
}
