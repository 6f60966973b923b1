//! Routing by the generated API table.
//!
//! Elasticsearch's `PathTrie` prefers a literal segment over a parameter,
//! but falls back to the parameter route when the literal one has no
//! handler for the method; the allowed methods of a path are the union
//! over every route it matches. [`Router`] does the same over the
//! `APIS` table, and resolves the two kinds of routes the spec shares:
//!
//! - one API with one template under two parameter names
//!   (`/_nodes/{node_id}` and `/_nodes/{metric}`): the path whose enum part
//!   accepts the value wins, as Elasticsearch's handler decides by value;
//! - several APIs on one template (`PUT /_inference/{task_type}/{id}` per
//!   provider): the request body decides, see [`Routed::ByBody`].

use percent_encoding::percent_decode_str;
use tensile_generated::Api;
use tensile_rest::spec::{BodySpec, Method, ParamKind, PathSpec};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Part(&'static str),
}

#[derive(Debug)]
struct Route {
    api: Api,
    path: &'static PathSpec,
    segments: Vec<Segment>,
}

/// An API chosen for a request, with its bound path parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub api: Api,
    /// The template that matched, e.g. `/{index}/_doc/{id}`.
    pub template: &'static str,
    pub parts: Vec<(&'static str, String)>,
}

/// What the router decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// One API serves this method and path.
    Api(Matched),
    /// Several APIs share the route; the body field named by each one's
    /// [`BodySpec::discriminator`] picks it, the one without is the fallback.
    ByBody(Vec<Matched>),
    /// The path is known, but not with this method.
    WrongMethod { allowed: Vec<Method> },
    /// No route has this path.
    NotFound,
}

pub struct Router {
    routes: Vec<Route>,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// The router over every API of the generated table.
    pub fn new() -> Self {
        let mut routes = Vec::new();
        for api in Api::ALL {
            for path in api.spec().paths {
                routes.push(Route { api, path, segments: parse_template(path.template) });
            }
        }
        Router { routes }
    }

    /// Routes `method` on the raw (still percent-encoded) `path`.
    pub fn route(&self, method: Method, path: &str) -> Routed {
        let segments = split_path(path);
        let mut candidates: Vec<(&Route, Vec<(&'static str, String)>)> = self
            .routes
            .iter()
            .filter_map(|route| bind(&route.segments, &segments).map(|parts| (route, parts)))
            .collect();
        if candidates.is_empty() {
            return Routed::NotFound;
        }
        // Literal segments first, position by position, as the PathTrie walks.
        candidates.sort_by(|(a, _), (b, _)| specificity(&a.segments).cmp(&specificity(&b.segments)));

        let with_method: Vec<&(&Route, Vec<(&'static str, String)>)> =
            candidates.iter().filter(|(r, _)| r.path.methods.contains(&method)).collect();
        let Some(first) = with_method.first() else {
            let allowed = self.allowed(path).unwrap_or_default();
            return Routed::WrongMethod { allowed };
        };
        let best = specificity(&first.0.segments);
        let tied: Vec<&(&Route, Vec<(&'static str, String)>)> =
            with_method.into_iter().filter(|(r, _)| specificity(&r.segments) == best).collect();

        // Among tied paths, prefer those whose enum parts accept their
        // values, and of those the ones a value was checked against.
        let fitting: Vec<_> = tied.iter().filter(|(r, parts)| enum_parts_fit(r.path, parts)).copied().collect();
        let tied = if fitting.is_empty() { tied } else { fitting };
        let most_checked = tied.iter().map(|(r, _)| enum_part_count(r.path)).max().unwrap_or(0);
        let tied: Vec<_> = tied.into_iter().filter(|(r, _)| enum_part_count(r.path) == most_checked).collect();

        let mut matched: Vec<Matched> = Vec::new();
        for (route, parts) in tied {
            if matched.iter().all(|m| m.api != route.api) {
                matched.push(Matched { api: route.api, template: route.path.template, parts: parts.clone() });
            }
        }
        if matched.len() == 1 {
            Routed::Api(matched.remove(0))
        } else {
            Routed::ByBody(matched)
        }
    }

    /// The methods some route takes on `path`, or `None` when no route has it.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let segments = split_path(path);
        let mut allowed: Vec<Method> = self
            .routes
            .iter()
            .filter(|r| fits(&r.segments, &segments))
            .flat_map(|r| r.path.methods.iter().copied())
            .collect();
        if allowed.is_empty() {
            return None;
        }
        allowed.sort();
        allowed.dedup();
        Some(allowed)
    }

    /// The number of (method, template, API) routes.
    pub fn len(&self) -> usize {
        self.routes.iter().map(|r| r.path.methods.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

/// Picks among APIs that share a route by the request body's discriminator field.
pub fn pick_by_body(candidates: &[Matched], body: Option<&serde_json::Value>) -> Option<Matched> {
    let discriminator = |m: &Matched| -> BodySpec { m.api.spec().body };
    let chosen = candidates.iter().find(|m| {
        discriminator(m)
            .discriminator
            .is_some_and(|(field, value)| body.and_then(|b| b.get(field)).and_then(|v| v.as_str()) == Some(value))
    });
    chosen.or_else(|| candidates.iter().find(|m| discriminator(m).discriminator.is_none())).cloned()
}

fn parse_template(template: &'static str) -> Vec<Segment> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Part(name),
            None => Segment::Literal(s),
        })
        .collect()
}

/// The path's segments, empty ones dropped (a trailing `/` is ignored).
fn split_path(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// A sort key: for each position, 0 for a literal and 1 for a part.
fn specificity(segments: &[Segment]) -> Vec<u8> {
    segments.iter().map(|s| matches!(s, Segment::Part(_)) as u8).collect()
}

/// Whether a template's literals are the path's segments, position by position.
fn fits(template: &[Segment], path: &[&str]) -> bool {
    template.len() == path.len()
        && template.iter().zip(path).all(|(segment, raw)| match segment {
            Segment::Literal(lit) => lit == raw,
            Segment::Part(_) => true,
        })
}

/// The path's parts under a template that [`fits`] it, percent-decoded;
/// `None` when it does not fit (checked first: most routes do not, and
/// decoding is what costs).
fn bind(template: &[Segment], path: &[&str]) -> Option<Vec<(&'static str, String)>> {
    if !fits(template, path) {
        return None;
    }
    let parts = template.iter().zip(path).filter_map(|(segment, raw)| match segment {
        Segment::Part(name) => Some((*name, percent_decode_str(raw).decode_utf8_lossy().into_owned())),
        Segment::Literal(_) => None,
    });
    Some(parts.collect())
}

fn enum_part_count(path: &PathSpec) -> usize {
    path.parts.iter().filter(|p| matches!(p.kind, ParamKind::Enum(_) | ParamKind::EnumList(_))).count()
}

fn enum_parts_fit(path: &PathSpec, parts: &[(&'static str, String)]) -> bool {
    path.parts.iter().all(|spec| {
        let value = parts.iter().find(|(n, _)| *n == spec.name).map(|(_, v)| v.as_str()).unwrap_or_default();
        match spec.kind {
            ParamKind::Enum(values) => values.contains(&value),
            ParamKind::EnumList(values) => value.split(',').all(|v| values.contains(&v)),
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_of(routed: Routed) -> &'static str {
        match routed {
            Routed::Api(m) => m.api.name(),
            other => panic!("not routed to one API: {other:?}"),
        }
    }

    #[test]
    fn literal_beats_parameter_but_falls_back_on_method() {
        let router = Router::new();
        assert_eq!(api_of(router.route(Method::Post, "/_inference/completion/my-id")), "inference.completion");
        match router.route(Method::Put, "/_inference/completion/my-id") {
            Routed::ByBody(list) => assert!(list.iter().any(|m| m.api.name() == "inference.put")),
            other => panic!("{other:?}"),
        }
        assert_eq!(api_of(router.route(Method::Get, "/_search")), "search");
        assert_eq!(api_of(router.route(Method::Get, "/my-index/_search")), "search");
        assert_eq!(api_of(router.route(Method::Put, "/my-index")), "indices.create");
    }

    #[test]
    fn nodes_info_picks_the_part_by_value() {
        let router = Router::new();
        let Routed::Api(m) = router.route(Method::Get, "/_nodes/jvm,os") else { panic!() };
        assert_eq!((m.api.name(), m.parts[0].0), ("nodes.info", "metric"));
        let Routed::Api(m) = router.route(Method::Get, "/_nodes/node-1") else { panic!() };
        assert_eq!((m.api.name(), m.parts[0].0), ("nodes.info", "node_id"));
    }

    #[test]
    fn inference_put_picks_the_provider_by_body() {
        let router = Router::new();
        let Routed::ByBody(candidates) = router.route(Method::Put, "/_inference/text_embedding/x") else { panic!() };
        let body = serde_json::json!({"service": "openai"});
        assert_eq!(pick_by_body(&candidates, Some(&body)).unwrap().api.name(), "inference.put_openai");
        let body = serde_json::json!({"service": "someone-else"});
        assert_eq!(pick_by_body(&candidates, Some(&body)).unwrap().api.name(), "inference.put");
        assert_eq!(pick_by_body(&candidates, None).unwrap().api.name(), "inference.put");
    }

    #[test]
    fn wrong_method_lists_allowed_in_elasticsearch_order() {
        let router = Router::new();
        assert_eq!(router.route(Method::Delete, "/"), Routed::WrongMethod { allowed: vec![Method::Get, Method::Head] });
        assert_eq!(router.route(Method::Get, "/a/b/c/d/e/f/g"), Routed::NotFound);
    }

    #[test]
    fn parts_are_percent_decoded() {
        let router = Router::new();
        let Routed::Api(m) = router.route(Method::Get, "/my%2Cindex/_doc/a%20b") else { panic!() };
        assert_eq!(m.parts, vec![("index", "my,index".to_owned()), ("id", "a b".to_owned())]);
    }
}
