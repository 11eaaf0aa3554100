//! Repeat requests (重复申请): who counts as the same applicant, and how alike two requests read.
//!
//! # Why character bigrams scored here, not FTS5 or `pg_trgm`
//!
//! A request is only a repeat of the *same applicant's* request, and an applicant has a handful
//! of requests (a few hundred at the very most). So the candidates are found by exact indexed
//! look-ups on the applicant (`cases_applicant`, and the name + phone / name + e-mail indexes of
//! migration `2026-12-07-000301_similar`), never by a text search over a million descriptions;
//! the text only ranks that short list. Ranking it here in Rust, rather than in SQL:
//!
//! - gives the same score on SQLite and PostgreSQL (FTS5's `bm25` and `pg_trgm`'s `similarity`
//!   are different numbers on different scales, and a threshold tuned on one would not hold on
//!   the other);
//! - works for Chinese: `pg_trgm` keeps only the characters the database's locale calls
//!   alphanumeric (under the `C` locale no CJK character is), and a trigram of Chinese spans
//!   one and a half words, so a reworded request shares few of them; FTS5's `trigram` tokenizer
//!   cannot even match a two-character word. A character *bigram* is the unit of Chinese words
//!   (most are two characters), so a request reworded with reordered clauses, added dates or
//!   politeness still shares most of its bigrams with the original;
//! - lets the score discount what every request says (申请、公开、信息、您好、谢谢…), which no
//!   SQL similarity function knows about.
//!
//! The score is a weighted Dice coefficient over the sets of bigrams of the normalised texts,
//! lowered when the two name different years (see [`Profile::score`]): in `[0, 1]`, symmetric,
//! 1 for texts equal after normalisation, insensitive to punctuation, whitespace, full-width
//! forms and letter case.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::ids::ApplicantId;

/// The lowest score a request is listed at as similar.
pub const MIN_SCORE: f64 = 0.35;

/// At most this many similar requests are listed.
pub const MAX_ITEMS: usize = 10;

/// Who made a request, as far as telling repeats apart needs: the applicant record, whether it
/// carries an identity document, and the particulars written on this application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicantKey<'a> {
    pub applicant_id: ApplicantId,
    /// The record carries an identity document (records with one are shared by every request
    /// made under that document; records without one belong to a single request).
    pub has_identity: bool,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Whether two requests were made by the same applicant: the same applicant record (so the same
/// identity document); or — when at least one of them gave no identity document — the same name
/// and the same phone number or the same e-mail address, as written on the applications (trimmed
/// at intake). Two requests under *different* identity documents are never the same applicant,
/// whatever their names and contacts. Symmetric.
pub fn same_applicant(a: &ApplicantKey<'_>, b: &ApplicantKey<'_>) -> bool {
    if a.applicant_id == b.applicant_id {
        return true;
    }
    if a.has_identity && b.has_identity {
        return false;
    }
    let same = |x: Option<&str>, y: Option<&str>| matches!((x, y), (Some(x), Some(y)) if !x.is_empty() && x == y);
    !a.name.is_empty() && a.name == b.name && (same(a.phone, b.phone) || same(a.email, b.email))
}

/// What nearly every request says, whatever it asks for: the words of the request itself, of
/// politeness and of reference. A bigram made of these weighs nothing (see [`weight`]).
const BOILERPLATE: &[&str] = &[
    "申请", "请公", "公开", "信息", "政府", "提供", "有关", "相关", "关于", "请求", "本人", "谢谢", "您好", "你好",
    "予以", "要求", "查询", "获取", "依法", "依据", "根据", "条例", "以下", "如下", "具体", "请予", "贵单", "单位",
    "贵机", "机关", "我想", "了解", "希望", "能够", "此致", "敬礼", "再次", "的信", "息公", "开的", "请贵", "现申",
    "特申", "一下",
];

/// A bigram's weight: 0 for boilerplate, ½ when it holds a digit (dates and years added to a
/// request change many of them without changing what is asked), else 1.
fn weight(gram: [char; 2]) -> f64 {
    let text: String = gram.iter().collect();
    if BOILERPLATE.contains(&text.as_str()) {
        0.0
    } else if gram.iter().any(char::is_ascii_digit) {
        0.5
    } else {
        1.0
    }
}

/// The characters that carry meaning, normalised: full-width ASCII forms folded to half-width,
/// letters lower-cased, punctuation, symbols and whitespace dropped.
pub fn normalise(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| match u32::from(c) {
            // Full-width forms of ASCII (！ to ～) sit 0xFEE0 above them.
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How much of the score is kept when both texts name years (`2023年`) and no year is named by
/// both: the 2023 budget and the 2024 budget read alike but are two requests, while a repeat
/// that adds the date it was written (`2025年3月`) still names the year of the original.
const OTHER_YEARS_FACTOR: f64 = 0.3;

/// The years a normalised text names: four digits from 1900 to 2099 followed by 年.
fn years(chars: &[char]) -> BTreeSet<[char; 4]> {
    chars
        .windows(5)
        .filter(|w| {
            w[4] == '年' && w[..4].iter().all(char::is_ascii_digit) && matches!((w[0], w[1]), ('1', '9') | ('2', '0'))
        })
        .map(|w| [w[0], w[1], w[2], w[3]])
        .collect()
}

/// A text's distinct character bigrams (a one-character text: that character) with their
/// weights, and the years it names; what [`score`] compares. Build it once for the text every
/// candidate is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    grams: BTreeMap<[char; 2], f64>,
    years: BTreeSet<[char; 4]>,
}

impl Profile {
    /// The profile of `text`.
    pub fn of(text: &str) -> Self {
        let chars = normalise(text);
        let grams = match chars.as_slice() {
            [] => BTreeMap::new(),
            [only] => BTreeMap::from([([*only, '\0'], 1.0)]),
            _ => chars.windows(2).map(|w| ([w[0], w[1]], weight([w[0], w[1]]))).collect(),
        };
        Self { grams, years: years(&chars) }
    }

    fn total(&self, weighted: bool) -> f64 {
        self.grams.values().map(|w| if weighted { *w } else { 1.0 }).sum()
    }

    /// The similarity of two profiles in `[0, 1]`: twice the weight of the bigrams they share
    /// over the weight of both, times [`OTHER_YEARS_FACTOR`] when both name years but none in
    /// common. When either text is nothing but boilerplate, every bigram weighs 1 instead (so two
    /// such texts are still compared). Two empty texts score 1.
    pub fn score(&self, other: &Self) -> f64 {
        let other_years = !self.years.is_empty() && !other.years.is_empty() && self.years.is_disjoint(&other.years);
        let dice = self.dice(other);
        if other_years {
            dice * OTHER_YEARS_FACTOR
        } else {
            dice
        }
    }

    fn dice(&self, other: &Self) -> f64 {
        if self.grams.is_empty() && other.grams.is_empty() {
            return 1.0;
        }
        let weighted = self.total(true) > 0.0 && other.total(true) > 0.0;
        let (small, large) = if self.grams.len() <= other.grams.len() { (self, other) } else { (other, self) };
        let shared: f64 = small
            .grams
            .iter()
            .filter(|(gram, _)| large.grams.contains_key(*gram))
            .map(|(_, w)| if weighted { *w } else { 1.0 })
            .sum();
        let both = self.total(weighted) + other.total(weighted);
        if both > 0.0 {
            (2.0 * shared / both).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// How alike two request texts read, in `[0, 1]` (see [`Profile::score`]).
pub fn score(a: &str, b: &str) -> f64 {
    Profile::of(a).score(&Profile::of(b))
}

/// The candidates whose text scores at least `min` against `text`, best first (ties: in the
/// order given), at most `max` of them, each with its score.
pub fn rank<T, S: AsRef<str>>(
    text: &str,
    candidates: impl IntoIterator<Item = (T, S)>,
    min: f64,
    max: usize,
) -> Vec<(T, f64)> {
    let profile = Profile::of(text);
    let mut scored: Vec<(T, f64)> = candidates
        .into_iter()
        .map(|(item, other)| {
            let s = profile.score(&Profile::of(other.as_ref()));
            (item, s)
        })
        .filter(|(_, s)| *s >= min)
        .collect();
    // A stable sort keeps the given order among equal scores.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.truncate(max);
    scored
}

#[cfg(test)]
#[path = "similarity_tests.rs"]
mod tests;
