//! Lucene's numeric intervals (`<n-m>`) as syntax trees of digits.

use crate::syntax::Node;

/// The decimal numbers from `min` to `max`: written in exactly `width`
/// digits (zero-padded) when `width` is not zero, else with any number of
/// leading zeros.
pub(crate) fn decimal(min: u64, max: u64, width: usize) -> Node {
    if width > 0 {
        let (low, high) = (format!("{min:0width$}"), format!("{max:0width$}"));
        return same_width(low.as_bytes(), high.as_bytes());
    }
    // Each number of digits apart, then any zeros before.
    let mut alternatives = Vec::new();
    let digits = |n: u64| n.to_string().len();
    for w in digits(min)..=digits(max) {
        let floor = if w == 1 { 0 } else { 10u64.pow(w as u32 - 1) };
        let ceiling = 10u64.checked_pow(w as u32).map_or(u64::MAX, |p| p - 1);
        let (low, high) = (min.max(floor), max.min(ceiling));
        if low <= high {
            alternatives.push(same_width(low.to_string().as_bytes(), high.to_string().as_bytes()));
        }
    }
    Node::Concat(vec![
        Node::Repeat { node: Box::new(Node::Literal("0".into())), min: 0, max: None },
        Node::Union(alternatives),
    ])
}

fn digit_class(low: u8, high: u8) -> Node {
    Node::Class(vec![(low as char, high as char)])
}

/// The digit strings from `low` to `high`, both of the same length.
fn same_width(low: &[u8], high: &[u8]) -> Node {
    let Some((&l, low_rest)) = low.split_first() else { return Node::Literal(String::new()) };
    let (&h, high_rest) = high.split_first().unwrap_or((&l, &[]));
    if l == h {
        return Node::Concat(vec![digit_class(l, l), same_width(low_rest, high_rest)]);
    }
    let nines = vec![b'9'; low_rest.len()];
    let zeros = vec![b'0'; low_rest.len()];
    let mut alternatives = vec![Node::Concat(vec![digit_class(l, l), same_width(low_rest, &nines)])];
    if h > l + 1 {
        alternatives.push(Node::Concat(vec![digit_class(l + 1, h - 1), same_width(&zeros, &nines)]));
    }
    alternatives.push(Node::Concat(vec![digit_class(h, h), same_width(&zeros, high_rest)]));
    Node::Union(alternatives)
}
