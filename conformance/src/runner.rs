//! Running the suite: for each test, its `skip`/`requires`, the file's
//! setup, its steps and the teardown, then a wipe of the cluster. The first
//! failed step fails the test.

use crate::assertion;
use crate::client::{Answer, Client};
use crate::prereq::{self, Skip, SkipKind};
use crate::report::{Outcome, TestResult};
use crate::request;
use crate::stash::Stash;
use crate::suite::{self, DoStep, Step, TestFile};
use crate::wipe::wipe;
use serde_json::Value;
use std::path::PathBuf;

pub struct RunOptions {
    pub url: String,
    pub tests_dir: PathBuf,
    /// Only tests whose id contains this text.
    pub filter: Option<String>,
}

/// The state of one running test.
struct TestRun<'a> {
    client: &'a Client,
    stash: Stash,
    body: Value,
    not_built: Vec<String>,
}

/// Runs every test under `opts.tests_dir`, calling `on_result` as each ends.
pub async fn run_suite(opts: &RunOptions, mut on_result: impl FnMut(&TestResult)) -> Result<Vec<TestResult>, String> {
    let client = Client::new(&opts.url);
    let version = server_version(&client).await?;
    let files =
        suite::discover(&opts.tests_dir).map_err(|e| format!("cannot read {}: {e}", opts.tests_dir.display()))?;
    wipe(&client).await;
    let mut results = Vec::new();
    for (id, path) in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = match suite::parse_file(&id, &text) {
            Ok(file) => file,
            Err(reason) => {
                let r = TestResult {
                    id: format!("{id}::<file>"),
                    file: id.clone(),
                    name: "<file>".into(),
                    outcome: Outcome::Fail { step: "parse".into(), reason },
                    not_built: Vec::new(),
                };
                on_result(&r);
                results.push(r);
                continue;
            }
        };
        for section in &file.tests {
            let test_id = format!("{id}::{}", section.name);
            if opts.filter.as_ref().is_some_and(|f| !test_id.contains(f.as_str())) {
                continue;
            }
            let mut run =
                TestRun { client: &client, stash: Stash::default(), body: Value::Null, not_built: Vec::new() };
            let outcome = run.test(&file, &section.steps, version).await;
            wipe(&client).await;
            let r = TestResult {
                id: test_id,
                file: id.clone(),
                name: section.name.clone(),
                outcome,
                not_built: run.not_built,
            };
            on_result(&r);
            results.push(r);
        }
    }
    Ok(results)
}

/// The version the server reports in `GET /`.
async fn server_version(client: &Client) -> Result<[u32; 3], String> {
    let req = request::build("info", &serde_json::Map::new(), None).map_err(|e| e.to_string())?;
    let answer = client.send(&req, &[]).await?;
    answer
        .body
        .pointer("/version/number")
        .and_then(Value::as_str)
        .and_then(prereq::parse_version)
        .ok_or_else(|| format!("GET / did not report a version: {}", answer.body))
}

impl TestRun<'_> {
    async fn test(&mut self, file: &TestFile, steps: &Result<Vec<Step>, String>, version: [u32; 3]) -> Outcome {
        if !file.for_stack {
            return Outcome::Skip { kind: SkipKind::NotForStack, reason: "the file requires serverless".into() };
        }
        let setup = match &file.setup {
            Ok(s) => s.as_slice(),
            Err(e) => return Outcome::Fail { step: "setup".into(), reason: e.clone() },
        };
        let steps = match steps {
            Ok(s) => s.as_slice(),
            Err(e) => return Outcome::Fail { step: "parse".into(), reason: e.clone() },
        };
        for step in setup.iter().chain(steps) {
            let skip = match step {
                Step::Skip(spec) => prereq::evaluate(spec, true, version, self.client).await,
                Step::Requires(spec) => prereq::evaluate(spec, false, version, self.client).await,
                _ => None,
            };
            if let Some(Skip { kind, reason }) = skip {
                return Outcome::Skip { kind, reason };
            }
        }
        if let Err((step, reason)) = self.steps("setup", setup).await {
            return Outcome::Fail { step, reason };
        }
        let result = self.steps("test", steps).await;
        let teardown = match &file.teardown {
            Ok(t) => self.steps("teardown", t).await,
            Err(e) => Err(("teardown".into(), e.clone())),
        };
        match result.and(teardown) {
            Ok(()) => Outcome::Pass,
            Err((step, reason)) => Outcome::Fail { step, reason },
        }
    }

    async fn steps(&mut self, phase: &str, steps: &[Step]) -> Result<(), (String, String)> {
        for (i, step) in steps.iter().enumerate() {
            let name = || format!("{phase} step {}: {}", i + 1, describe(step));
            match step {
                Step::Skip(_) | Step::Requires(_) => {}
                Step::Do(d) => self.call(d).await.map_err(|e| (name(), e))?,
                other => assertion::check(other, &self.body, &mut self.stash).map_err(|e| (name(), e))?,
            }
        }
        Ok(())
    }

    async fn call(&mut self, d: &DoStep) -> Result<(), String> {
        let params = match self.stash.resolve(&Value::Object(d.params.clone()))? {
            Value::Object(map) => map,
            _ => unreachable!("an object resolves to an object"),
        };
        let body = d.body.as_ref().map(|b| self.stash.resolve(b)).transpose()?;
        let headers: Vec<(String, String)> = d
            .headers
            .iter()
            .map(|(k, v)| Ok((k.clone(), crate::stash::text(&self.stash.resolve(&Value::String(v.clone()))?))))
            .collect::<Result<_, String>>()?;
        let req = match request::build(&d.api, &params, body.as_ref()) {
            Ok(req) => req,
            Err(e) if d.catch.as_deref() == Some("param") => {
                let _ = e;
                return Ok(());
            }
            Err(e) => return Err(e.to_string()),
        };
        let answer = self.client.send(&req, &headers).await?;
        if answer.status == 501
            && answer.body.pointer("/error/type").and_then(Value::as_str) == Some("unsupported_operation_exception")
        {
            self.not_built.push(d.api.clone());
        }
        self.stash.set("body", answer.body.clone());
        self.body = answer.body.clone();
        check_catch(d, &answer, req.method == tensile_rest::spec::Method::Head)?;
        check_warnings(d, &answer)
    }
}

fn describe(step: &Step) -> String {
    match step {
        Step::Do(d) => format!("do {}", d.api),
        Step::Match(p, _) => format!("match {p}"),
        Step::Length(p, _) => format!("length {p}"),
        Step::IsTrue(p) => format!("is_true {p}"),
        Step::IsFalse(p) => format!("is_false {p}"),
        Step::Compare(op, p, _) => format!("{op:?} {p}").to_lowercase(),
        Step::Contains(p, _) => format!("contains {p}"),
        Step::CloseTo { path, .. } => format!("close_to {path}"),
        Step::Set(_) => "set".into(),
        Step::TransformAndSet(_) => "transform_and_set".into(),
        Step::Exists(p) => format!("exists {p}"),
        Step::NotExists(p) => format!("not_exists {p}"),
        Step::IsAfter(p, _) => format!("is_after {p}"),
        Step::Skip(_) => "skip".into(),
        Step::Requires(_) => "requires".into(),
    }
}

/// The status a named `catch` expects.
fn catch_status(name: &str) -> Option<u16> {
    Some(match name {
        "bad_request" => 400,
        "unauthorized" => 401,
        "forbidden" => 403,
        "missing" => 404,
        "request_timeout" => 408,
        "conflict" => 409,
        "unavailable" => 503,
        _ => return None,
    })
}

fn short(body: &Value) -> String {
    let text = crate::stash::text(body);
    if text.len() > 300 {
        format!("{}...", &text[..text.char_indices().nth(300).map_or(text.len(), |(i, _)| i)])
    } else {
        text
    }
}

fn check_catch(d: &DoStep, answer: &Answer, head: bool) -> Result<(), String> {
    let failed = answer.status >= 400;
    let Some(catch) = d.catch.as_deref() else {
        let tolerated = d.ignore.contains(&answer.status) || (head && answer.status == 404);
        return if failed && !tolerated {
            Err(format!("{} answered {}: {}", d.api, answer.status, short(&answer.body)))
        } else {
            Ok(())
        };
    };
    if !failed {
        return Err(format!("expected an error ({catch}) but {} answered {}", d.api, answer.status));
    }
    if let Some(status) = catch_status(catch) {
        return (answer.status == status)
            .then_some(())
            .ok_or_else(|| format!("expected {status} ({catch}) but got {}: {}", answer.status, short(&answer.body)));
    }
    match catch {
        "request" => Ok(()),
        "param" => Err(format!("expected a client-side parameter error but {} answered {}", d.api, answer.status)),
        regex if regex.len() > 1 && regex.starts_with('/') && regex.ends_with('/') => {
            // Unlike `match` assertions, Elasticsearch's runner compiles a
            // `catch` regex without the COMMENTS flag: its spaces count.
            let re = regex::Regex::new(&regex[1..regex.len() - 1]).map_err(|e| format!("bad catch regex: {e}"))?;
            let text = crate::stash::text(&answer.body);
            re.is_match(&text)
                .then_some(())
                .ok_or_else(|| format!("error does not match {regex}: {}", short(&answer.body)))
        }
        other => Err(format!("unknown catch [{other}]")),
    }
}

/// The deprecation warning of `PUT _template`, which Elasticsearch's runner
/// lets pass unexpected (its `DoSection` drops it, as a shortcut for the
/// many tests still using legacy templates).
const LEGACY_TEMPLATE_WARNING: &str = "Legacy index templates are deprecated in favor of composable templates.";

/// Strict warnings, as Elasticsearch's runner: every warning must be
/// expected or allowed (but the legacy-template one), and every expected
/// one must come.
fn check_warnings(d: &DoStep, answer: &Answer) -> Result<(), String> {
    let compile = |list: &[String]| -> Result<Vec<regex::Regex>, String> {
        list.iter().map(|r| regex::Regex::new(r).map_err(|e| format!("bad warnings regex: {e}"))).collect()
    };
    let expected_re = compile(&d.warnings_regex)?;
    let allowed_re = compile(&d.allowed_warnings_regex)?;
    for w in &answer.warnings {
        let ok = d.warnings.contains(w)
            || d.allowed_warnings.contains(w)
            || w == LEGACY_TEMPLATE_WARNING
            || expected_re.iter().chain(&allowed_re).any(|re| re.is_match(w));
        if !ok {
            return Err(format!("unexpected warning: {w}"));
        }
    }
    for w in &d.warnings {
        if !answer.warnings.contains(w) {
            return Err(format!("expected warning did not come: {w}"));
        }
    }
    for re in &expected_re {
        if !answer.warnings.iter().any(|w| re.is_match(w)) {
            return Err(format!("no warning matched {re}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_legacy_template_warning_may_come_unannounced() {
        let step = DoStep {
            api: "indices.put_template".into(),
            params: Default::default(),
            body: None,
            ignore: Vec::new(),
            catch: None,
            headers: Vec::new(),
            warnings: Vec::new(),
            warnings_regex: Vec::new(),
            allowed_warnings: Vec::new(),
            allowed_warnings_regex: Vec::new(),
        };
        let answer = |w: &str| Answer { status: 200, body: Value::Null, warnings: vec![w.to_owned()] };
        assert!(check_warnings(&step, &answer(LEGACY_TEMPLATE_WARNING)).is_ok());
        assert!(check_warnings(&step, &answer("[x] is deprecated")).is_err());
    }
}
