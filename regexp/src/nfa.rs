//! The syntax tree as a nondeterministic automaton over UTF-8 bytes
//! (Thompson's construction), determinized into a [`Dfa`]. Complement and
//! intersection are made on determinized automata, then put back into the
//! surrounding automaton as states of their own.

use crate::dfa::Dfa;
use crate::error::Error;
use crate::syntax::Node;
use regex_syntax::utf8::Utf8Sequences;

/// A bound on the states a pattern's nondeterministic automaton may take
/// (`a{100000}` would make that many copies of `a`).
const MAX_NFA_STATES: usize = 1 << 20;

#[derive(Default)]
pub(crate) struct State {
    /// Moves without reading a byte.
    pub(crate) epsilon: Vec<u32>,
    /// Moves on a byte of an inclusive range.
    pub(crate) bytes: Vec<(u8, u8, u32)>,
}

/// A nondeterministic automaton with one start and one accepting state.
pub(crate) struct Nfa {
    pub(crate) states: Vec<State>,
    pub(crate) start: u32,
    pub(crate) accept: u32,
}

/// The determinized automaton of a syntax tree.
pub(crate) fn compile(node: &Node, case_insensitive: bool, max_states: usize) -> Result<Dfa, Error> {
    let mut builder = Builder { states: Vec::new(), case_insensitive, max_states };
    let (start, accept) = builder.fragment(node)?;
    Dfa::determinize(&Nfa { states: builder.states, start, accept }, max_states)
}

struct Builder {
    states: Vec<State>,
    case_insensitive: bool,
    max_states: usize,
}

impl Builder {
    fn state(&mut self) -> Result<u32, Error> {
        if self.states.len() >= MAX_NFA_STATES {
            return Err(Error::TooComplex { limit: self.max_states });
        }
        self.states.push(State::default());
        Ok(self.states.len() as u32 - 1)
    }

    fn epsilon(&mut self, from: u32, to: u32) {
        self.states[from as usize].epsilon.push(to);
    }

    /// A fragment matching `node`: its start and end states.
    fn fragment(&mut self, node: &Node) -> Result<(u32, u32), Error> {
        let (start, end) = (self.state()?, self.state()?);
        match node {
            Node::Nothing => {}
            Node::Class(ranges) => self.class(start, end, ranges)?,
            Node::Literal(text) => {
                let mut at = start;
                for c in text.chars() {
                    let next = self.state()?;
                    self.class(at, next, &[(c, c)])?;
                    at = next;
                }
                self.epsilon(at, end);
            }
            Node::Concat(parts) => {
                let mut at = start;
                for part in parts {
                    let (s, e) = self.fragment(part)?;
                    self.epsilon(at, s);
                    at = e;
                }
                self.epsilon(at, end);
            }
            Node::Union(alternatives) => {
                for alternative in alternatives {
                    let (s, e) = self.fragment(alternative)?;
                    self.epsilon(start, s);
                    self.epsilon(e, end);
                }
            }
            Node::Repeat { node, min, max } => self.repeat(start, end, node, *min, *max)?,
            Node::AnyString => {
                self.class(start, start, &[('\0', char::MAX)])?;
                self.epsilon(start, end);
            }
            Node::Complement(inner) => {
                // Over bytes, a complement holds byte strings no text is: kept
                // to texts, it cannot match part of a character.
                let texts = self.determinized(&Node::AnyString)?;
                let dfa = Dfa::intersection(&self.determinized(inner)?.complement(), &texts, self.max_states)?;
                self.embed(&dfa, start, end)?;
            }
            Node::Intersection(left, right) => {
                let dfa = Dfa::intersection(&self.determinized(left)?, &self.determinized(right)?, self.max_states)?;
                self.embed(&dfa, start, end)?;
            }
        }
        Ok((start, end))
    }

    fn repeat(&mut self, start: u32, end: u32, node: &Node, min: u32, max: Option<u32>) -> Result<(), Error> {
        if max.is_some_and(|max| max < min) {
            return Ok(());
        }
        let mut at = start;
        for _ in 0..min {
            let (s, e) = self.fragment(node)?;
            self.epsilon(at, s);
            at = e;
        }
        match max {
            None => {
                let (s, e) = self.fragment(node)?;
                self.epsilon(at, s);
                self.epsilon(e, s);
                self.epsilon(e, end);
            }
            Some(max) => {
                for _ in min..max {
                    self.epsilon(at, end);
                    let (s, e) = self.fragment(node)?;
                    self.epsilon(at, s);
                    at = e;
                }
            }
        }
        self.epsilon(at, end);
        Ok(())
    }

    /// Moves from `from` to `to` on the UTF-8 encoding of any character of
    /// `ranges` (and of their other cases when the pattern ignores case).
    fn class(&mut self, from: u32, to: u32, ranges: &[(char, char)]) -> Result<(), Error> {
        let folded;
        let ranges = if self.case_insensitive {
            folded = fold_case(ranges);
            &folded
        } else {
            ranges
        };
        for &(lo, hi) in ranges {
            for sequence in Utf8Sequences::new(lo, hi) {
                let bytes = sequence.as_slice();
                let mut at = from;
                for (i, range) in bytes.iter().enumerate() {
                    let next = if i + 1 == bytes.len() { to } else { self.state()? };
                    self.states[at as usize].bytes.push((range.start, range.end, next));
                    at = next;
                }
            }
        }
        Ok(())
    }

    /// The determinized automaton of a part of the pattern.
    fn determinized(&self, node: &Node) -> Result<Dfa, Error> {
        compile(node, self.case_insensitive, self.max_states)
    }

    /// A determinized automaton's states added between `start` and `end`.
    fn embed(&mut self, dfa: &Dfa, start: u32, end: u32) -> Result<(), Error> {
        let base = self.states.len() as u32;
        for _ in 0..dfa.len() {
            self.state()?;
        }
        for state in 0..dfa.len() as u32 {
            if !dfa.can_match(state) {
                continue;
            }
            for (lo, hi, target) in dfa.byte_ranges(state) {
                if dfa.can_match(target) {
                    self.states[(base + state) as usize].bytes.push((lo, hi, base + target));
                }
            }
            if dfa.is_match(state) {
                self.epsilon(base + state, end);
            }
        }
        self.epsilon(start, base + dfa.start());
        Ok(())
    }
}

/// `ranges` with the other cases of their characters (the characters of
/// wide ranges, such as `.` or a negated class, are left as they are: such
/// ranges hold most cases already).
fn fold_case(ranges: &[(char, char)]) -> Vec<(char, char)> {
    const WIDEST_FOLDED: u32 = 1024;
    let mut out = ranges.to_vec();
    for &(lo, hi) in ranges {
        if hi as u32 - lo as u32 > WIDEST_FOLDED {
            continue;
        }
        for c in (lo..=hi).filter(|c| c.is_alphabetic()) {
            for cases in [c.to_lowercase().collect::<Vec<char>>(), c.to_uppercase().collect()] {
                if let [one] = cases[..] {
                    out.push((one, one));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
