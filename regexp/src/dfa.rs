//! Deterministic automata over bytes: made from a nondeterministic one by
//! the subset construction (bounded in states), complemented, intersected,
//! and run over text or, byte by byte, by a term dictionary.

use crate::error::Error;
use crate::nfa::Nfa;
use std::collections::HashMap;

/// A state of a [`Dfa`].
pub type StateId = u32;

/// The first state of every automaton: the one nothing matches from, once
/// a byte has led there (a complement's excepted, where all matches).
pub(crate) const DEAD: StateId = 0;

/// A deterministic automaton over bytes, total: every state moves on every
/// byte (to [`DEAD`] when nothing can follow).
#[derive(Debug, Clone)]
pub struct Dfa {
    /// Each byte's class: bytes of a class move alike from every state.
    classes: [u8; 256],
    /// The number of classes, the width of a row of `moves`.
    stride: usize,
    /// `moves[state * stride + class]`: where a state goes on a class.
    moves: Vec<StateId>,
    accepting: Vec<bool>,
    /// States from which an accepting state can be reached.
    live: Vec<bool>,
    start: StateId,
}

/// Byte classes of a set of byte ranges: every range is a run of whole classes.
fn classes_of(ranges: impl Iterator<Item = (u8, u8)>) -> ([u8; 256], usize) {
    let mut boundary = [false; 257];
    for (lo, hi) in ranges {
        boundary[lo as usize] = true;
        boundary[hi as usize + 1] = true;
    }
    let mut classes = [0u8; 256];
    let mut class = 0usize;
    for b in 0..256 {
        if b > 0 && boundary[b] {
            class += 1;
        }
        classes[b] = class as u8;
    }
    (classes, class + 1)
}

/// The first byte of each class.
fn representatives(classes: &[u8; 256], stride: usize) -> Vec<u8> {
    let mut first = vec![0u8; stride];
    for b in (0..256).rev() {
        first[classes[b] as usize] = b as u8;
    }
    first
}

impl Dfa {
    /// The subset construction; fails past `max_states` states.
    pub(crate) fn determinize(nfa: &Nfa, max_states: usize) -> Result<Dfa, Error> {
        let (classes, stride) = classes_of(nfa.states.iter().flat_map(|s| s.bytes.iter().map(|&(lo, hi, _)| (lo, hi))));
        let mut closure = Closure { seen: vec![0; nfa.states.len()], round: 0, stack: Vec::new() };
        let mut sets: Vec<Vec<u32>> = vec![Vec::new()];
        let mut ids: HashMap<Vec<u32>, StateId> = HashMap::from([(Vec::new(), DEAD)]);
        let start_set = closure.of(nfa, [nfa.start].into_iter());
        ids.insert(start_set.clone(), 1);
        sets.push(start_set);
        let mut moves: Vec<StateId> = vec![DEAD; stride];
        let mut targets: Vec<Vec<u32>> = vec![Vec::new(); stride];
        let mut at = 1;
        while at < sets.len() {
            targets.iter_mut().for_each(Vec::clear);
            for &s in &sets[at] {
                for &(lo, hi, to) in &nfa.states[s as usize].bytes {
                    for class in classes[lo as usize]..=classes[hi as usize] {
                        targets[class as usize].push(to);
                    }
                }
            }
            for class_targets in &targets {
                let set = closure.of(nfa, class_targets.iter().copied());
                let id = match ids.get(&set) {
                    Some(id) => *id,
                    None => {
                        if sets.len() > max_states {
                            return Err(Error::TooComplex { limit: max_states });
                        }
                        let id = sets.len() as StateId;
                        ids.insert(set.clone(), id);
                        sets.push(set);
                        id
                    }
                };
                moves.push(id);
            }
            at += 1;
        }
        let accepting = sets.iter().map(|set| set.binary_search(&nfa.accept).is_ok()).collect();
        Ok(Dfa::new(classes, stride, moves, accepting, 1))
    }

    fn new(classes: [u8; 256], stride: usize, moves: Vec<StateId>, accepting: Vec<bool>, start: StateId) -> Dfa {
        let mut dfa = Dfa { classes, stride, moves, live: Vec::new(), accepting, start };
        dfa.live = dfa.reaching_acceptance();
        dfa
    }

    /// Which states can reach an accepting state.
    fn reaching_acceptance(&self) -> Vec<bool> {
        let n = self.len();
        let mut into: Vec<Vec<StateId>> = vec![Vec::new(); n];
        for from in 0..n {
            for class in 0..self.stride {
                into[self.moves[from * self.stride + class] as usize].push(from as StateId);
            }
        }
        let mut live = self.accepting.clone();
        let mut stack: Vec<StateId> = (0..n as StateId).filter(|s| live[*s as usize]).collect();
        while let Some(s) = stack.pop() {
            for &from in &into[s as usize] {
                if !live[from as usize] {
                    live[from as usize] = true;
                    stack.push(from);
                }
            }
        }
        live
    }

    /// The strings (of bytes) this automaton does not match.
    pub(crate) fn complement(&self) -> Dfa {
        let accepting = self.accepting.iter().map(|a| !a).collect();
        Dfa::new(self.classes, self.stride, self.moves.clone(), accepting, self.start)
    }

    /// The strings both automata match (the product construction).
    pub(crate) fn intersection(a: &Dfa, b: &Dfa, max_states: usize) -> Result<Dfa, Error> {
        let mut pairs: HashMap<(u8, u8), u8> = HashMap::new();
        let mut classes = [0u8; 256];
        for (class, (of_a, of_b)) in classes.iter_mut().zip(a.classes.iter().zip(&b.classes)) {
            let next = pairs.len() as u8;
            *class = *pairs.entry((*of_a, *of_b)).or_insert(next);
        }
        let stride = pairs.len();
        let firsts = representatives(&classes, stride);
        let mut ids: HashMap<(StateId, StateId), StateId> = HashMap::new();
        let mut states: Vec<(StateId, StateId)> = vec![(DEAD, DEAD)];
        let mut id_of = |pair: (StateId, StateId), states: &mut Vec<(StateId, StateId)>| {
            if !a.can_match(pair.0) || !b.can_match(pair.1) {
                return Ok(DEAD);
            }
            if let Some(id) = ids.get(&pair) {
                return Ok(*id);
            }
            if states.len() > max_states {
                return Err(Error::TooComplex { limit: max_states });
            }
            let id = states.len() as StateId;
            ids.insert(pair, id);
            states.push(pair);
            Ok(id)
        };
        let start = id_of((a.start, b.start), &mut states)?;
        let mut moves = vec![DEAD; stride];
        let mut at = 1;
        while at < states.len() {
            let (sa, sb) = states[at];
            for &byte in &firsts {
                let next = id_of((a.next(sa, byte), b.next(sb, byte)), &mut states)?;
                moves.push(next);
            }
            at += 1;
        }
        let accepting =
            states.iter().enumerate().map(|(i, &(sa, sb))| i != 0 && a.is_match(sa) && b.is_match(sb)).collect();
        Ok(Dfa::new(classes, stride, moves, accepting, start))
    }

    /// The number of states, [`DEAD`] included.
    pub fn len(&self) -> usize {
        self.accepting.len()
    }

    /// Never empty: the dead state is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn start(&self) -> StateId {
        self.start
    }

    /// Where `state` goes on `byte`.
    #[inline]
    pub fn next(&self, state: StateId, byte: u8) -> StateId {
        self.moves[state as usize * self.stride + self.classes[byte as usize] as usize]
    }

    /// Whether the bytes read so far make a match.
    #[inline]
    pub fn is_match(&self, state: StateId) -> bool {
        self.accepting[state as usize]
    }

    /// Whether more bytes could still make a match.
    #[inline]
    pub fn can_match(&self, state: StateId) -> bool {
        self.live[state as usize]
    }

    /// Whether the whole text matches.
    pub fn matches(&self, text: &str) -> bool {
        let mut state = self.start;
        for &byte in text.as_bytes() {
            state = self.next(state, byte);
            if !self.can_match(state) {
                return false;
            }
        }
        self.is_match(state)
    }

    /// Whether some prefix of the text (maybe empty, maybe all of it) matches.
    pub fn matches_a_prefix(&self, text: &str) -> bool {
        let mut state = self.start;
        if self.is_match(state) {
            return true;
        }
        for &byte in text.as_bytes() {
            state = self.next(state, byte);
            if self.is_match(state) {
                return true;
            }
            if !self.can_match(state) {
                return false;
            }
        }
        false
    }

    /// A state's moves as runs of bytes going to one state.
    pub(crate) fn byte_ranges(&self, state: StateId) -> Vec<(u8, u8, StateId)> {
        let mut runs: Vec<(u8, u8, StateId)> = Vec::new();
        for byte in 0..=255u8 {
            let target = self.next(state, byte);
            match runs.last_mut() {
                Some((_, hi, t)) if *t == target && *hi as usize + 1 == byte as usize => *hi = byte,
                _ => runs.push((byte, byte, target)),
            }
        }
        runs
    }
}

/// Epsilon closures of sets of states, with a reusable visited mark.
struct Closure {
    seen: Vec<u32>,
    round: u32,
    stack: Vec<u32>,
}

impl Closure {
    /// The states reachable from `from` without reading a byte, sorted.
    fn of(&mut self, nfa: &Nfa, from: impl Iterator<Item = u32>) -> Vec<u32> {
        self.round += 1;
        let mut out = Vec::new();
        self.stack.extend(from);
        while let Some(s) = self.stack.pop() {
            if self.seen[s as usize] == self.round {
                continue;
            }
            self.seen[s as usize] = self.round;
            out.push(s);
            self.stack.extend(nfa.states[s as usize].epsilon.iter().copied());
        }
        out.sort_unstable();
        out
    }
}
