//! Cell parsers: one wholesaler-written value in, a canonical value (or a problem code) out.
//! Every parser takes text already cleaned by [`crate::text::clean`] or cleans it itself.

use crate::problem::ProblemCode;
use crate::text::{clean, split_list};
use ddhub_domain::Krw;
use ddhub_domain::catalog::{self, Size, SizeSystem};
use ddhub_domain::style::CompositionPart;

/// Highest price accepted, exclusive: 1 billion won. Anything near it is a typo.
pub use ddhub_domain::style_rules::MAX_PRICE_KRW as MAX_PRICE;

/// A shipping weight in grams (무게/중량): `350g`, `350 g`, `0.35kg`, `0.35 kg`, `350그램`,
/// `1.2킬로`, `350` (grams) and `0.35` (a bare decimal under 30 is kilograms: nobody weighs a
/// garment at 0.35 g). Between [`ddhub_domain::weights::MIN_GRAMS`] and `MAX_GRAMS`.
pub fn parse_weight_grams(raw: &str) -> Result<u32, ProblemCode> {
    use ddhub_domain::weights::{MAX_GRAMS, MIN_GRAMS};
    let s: String = clean(raw)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    let num_end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
        .map_or(s.len(), |(i, _)| i);
    let (num, unit) = s.split_at(num_end);
    let n: f64 = num.parse().map_err(|_| ProblemCode::InvalidWeight)?;
    let kg = match unit.trim_end_matches('.') {
        "kg" | "킬로" | "킬로그램" | "키로" => true,
        "g" | "gr" | "그램" => false,
        "" => num.contains('.') && n < 30.0,
        _ => return Err(ProblemCode::InvalidWeight),
    };
    let grams = if kg { n * 1000.0 } else { n }.round();
    if !grams.is_finite() || grams < f64::from(MIN_GRAMS) || grams > f64::from(MAX_GRAMS) {
        return Err(ProblemCode::InvalidWeight);
    }
    // In range, so the cast is exact.
    Ok(grams as u32)
}

/// A price in won: `18000`, `18,000`, `18,000원`, `₩18,000`, `1.8만`, `18천원`, `1만8천원`,
/// full-width digits, and `18000.0` as Excel stores numbers.
pub fn parse_price(raw: &str) -> Result<Krw, ProblemCode> {
    let s = clean(raw).to_lowercase();
    let body: String = s
        .replace("krw", "")
        .chars()
        .filter(|c| !matches!(c, '원' | '₩' | '￦' | '\\' | ',' | ' ' | '\''))
        .collect();
    if body.is_empty() {
        return Err(ProblemCode::InvalidPrice);
    }
    // A negative amount is readable, just not a price: said as out of range (at least ₩1),
    // not as unreadable.
    if let Some(rest) = body.strip_prefix(['-', '−']) {
        return match parse_price(rest) {
            Ok(_) => Err(ProblemCode::PriceOutOfRange),
            Err(e) => Err(e),
        };
    }
    let mut total: i128 = 0;
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        // One segment: a number (`1.8`) and an optional unit (`만`).
        let (mut mantissa, mut frac, mut digits, mut point) = (0i128, 0u32, 0u32, false);
        while let Some(&c) = chars.peek() {
            match c {
                '0'..='9' => {
                    mantissa = mantissa * 10 + i128::from(c as u8 - b'0');
                    digits += 1;
                    if point {
                        frac += 1;
                    }
                    if digits > 18 {
                        return Err(ProblemCode::PriceOutOfRange);
                    }
                }
                '.' if !point => point = true,
                _ => break,
            }
            chars.next();
        }
        if digits == 0 {
            return Err(ProblemCode::InvalidPrice);
        }
        let unit: i128 = match chars.peek() {
            Some('만') => 10_000,
            Some('천') => 1_000,
            Some('백') => 100,
            None => 1,
            Some(_) => return Err(ProblemCode::InvalidPrice),
        };
        if unit > 1 {
            chars.next();
        }
        let scaled = mantissa * unit;
        let scale = 10i128.pow(frac);
        if scaled % scale != 0 {
            return Err(ProblemCode::InvalidPrice);
        }
        total += scaled / scale;
        if total > i128::from(MAX_PRICE) {
            return Err(ProblemCode::PriceOutOfRange);
        }
    }
    if total <= 0 {
        return Err(ProblemCode::PriceOutOfRange);
    }
    i64::try_from(total)
        .map(Krw)
        .map_err(|_| ProblemCode::PriceOutOfRange)
}

/// A colour list (`블랙,아이보리,소라`, `블랙/화이트`, `검정、흰색`) → colour codes in order,
/// without repeats. Fails on the first word that names no colour, returning it.
pub fn parse_colours(raw: &str) -> Result<Vec<&'static str>, String> {
    let s = clean(raw);
    let mut out: Vec<&'static str> = Vec::new();
    for item in split_list(&s) {
        let Some(c) = find_colour(item) else {
            return Err(item.to_string());
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

fn find_colour(item: &str) -> Option<&'static str> {
    let v = catalog::colours();
    if let Some(c) = v.find(item) {
        return Some(c.code);
    }
    // `라벤더색`, `블랙컬러`, `블랙(검정)`: drop a trailing colour word or a bracketed note.
    for suffix in ["색상", "컬러", "칼라", "색", "color", "colour"] {
        if let Some(stem) = item.strip_suffix(suffix)
            && let Some(c) = v.find(stem)
        {
            return Some(c.code);
        }
    }
    let stem = strip_note(item);
    if stem != item {
        return v.find(&stem).map(|c| c.code);
    }
    None
}

fn strip_note(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Why a size cell failed, with the item that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeIssue {
    pub code: ProblemCode,
    pub item: String,
}

/// A size list or range → size codes in order, without repeats.
///
/// `FREE`/`F`/`프리`; lists `S,M,L`, `55/66`; ranges within one series: `55~77` is 55, 66, 77
/// (half sizes only when an end is one), `25~30` is every waist inch, `230~250` every 5 mm,
/// `S~XL` every letter size. A bracketed note is ignored (`프리(55~66반)` is one size).
pub fn parse_sizes(raw: &str) -> Result<Vec<&'static str>, SizeIssue> {
    let s = clean(raw);
    let s = strip_note(&s);
    let mut out: Vec<&'static str> = Vec::new();
    for item in split_list(&s) {
        for size in parse_size_item(item)? {
            if !out.contains(&size.code) {
                out.push(size.code);
            }
        }
    }
    Ok(out)
}

fn find_size(s: &str) -> Option<&'static Size> {
    let v = catalog::sizes();
    v.find(s).or_else(|| {
        // `55사이즈`, `M size`
        let t = s.trim_end_matches("사이즈").trim_end_matches("size").trim();
        v.find(t)
    })
}

fn parse_size_item(item: &str) -> Result<Vec<&'static Size>, SizeIssue> {
    if let Some(s) = find_size(item) {
        return Ok(vec![s]);
    }
    let issue = |code| SizeIssue {
        code,
        item: item.to_string(),
    };
    let Some((a, b)) = item.split_once(['~', '-', '–', '〜']) else {
        return Err(issue(ProblemCode::UnknownSize));
    };
    let (Some(lo), Some(hi)) = (find_size(a.trim()), find_size(b.trim())) else {
        return Err(issue(ProblemCode::InvalidSizeRange));
    };
    if lo.system != hi.system || lo.system == SizeSystem::Free || lo.rank > hi.rank {
        return Err(issue(ProblemCode::InvalidSizeRange));
    }
    let with_halves = lo.code.ends_with("_half") || hi.code.ends_with("_half");
    Ok(catalog::sizes_in(lo.system)
        .filter(|s| s.rank >= lo.rank && s.rank <= hi.rank)
        .filter(|s| {
            with_halves || !s.code.ends_with("_half") || s.code == lo.code || s.code == hi.code
        })
        .collect())
}

/// The result of reading a composition cell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Composition {
    pub parts: Vec<CompositionPart>,
    /// Material words that are in no vocabulary, as written.
    pub unknown: Vec<String>,
    /// Sum of all percentages read, known materials or not.
    pub total: u32,
    /// Whether any percentage was read at all.
    pub has_percent: bool,
}

/// A composition: `면 100%`, `아크릴70 울30`, `폴리에스터 95% 스판 5%`, `70% acrylic, 30% wool`.
/// Only the shell fabric counts: text after `안감` (lining) or `배색` (trim) is ignored.
/// A single material with no percentage means 100%.
pub fn parse_composition(raw: &str) -> Composition {
    let s = clean(raw);
    let mut body: &str = &s;
    for marker in ["안감", "배색", "lining"] {
        if let Some(i) = body.find(marker)
            && i > 0
        {
            body = &body[..i];
        }
    }
    let toks = tokenize(body);
    let mut out = Composition::default();
    let add = |out: &mut Composition, word: &str, pct: u32| {
        out.total += pct;
        out.has_percent = true;
        match catalog::materials().find(word) {
            Some(m) => {
                let pct = u8::try_from(pct.min(100)).unwrap_or(100);
                if let Some(p) = out.parts.iter_mut().find(|p| p.material == m.code) {
                    p.percent = p.percent.saturating_add(pct).min(100);
                } else if pct > 0 {
                    out.parts.push(CompositionPart {
                        material: m.code.to_string(),
                        percent: pct,
                    });
                }
            }
            None => out.unknown.push(word.to_string()),
        }
    };
    // `아크릴70 울30` pairs a word with the number after it; `70% acrylic, 30% wool` with the
    // number before it. The first token decides which way the cell is written.
    let num_first = toks
        .iter()
        .find(|t| !matches!(t, Tok::Word(w) if is_noise_word(w)))
        .is_some_and(|t| matches!(t, Tok::Num(_)));
    let mut used = vec![false; toks.len()];
    for i in 0..toks.len() {
        let Tok::Word(w) = toks[i] else { continue };
        if is_noise_word(w) {
            used[i] = true;
            continue;
        }
        let j = if num_first {
            i.checked_sub(1)
        } else {
            Some(i + 1)
        };
        if let Some(j) = j
            && let Some(Tok::Num(n)) = toks.get(j)
            && !used[j]
        {
            used[i] = true;
            used[j] = true;
            add(&mut out, w, *n);
        }
    }
    let lone: Vec<&str> = toks
        .iter()
        .zip(&used)
        .filter_map(|(t, u)| match t {
            Tok::Word(w) if !u => Some(*w),
            _ => None,
        })
        .collect();
    if !out.has_percent && lone.len() == 1 {
        add(&mut out, lone[0], 100);
    } else {
        for w in lone {
            if catalog::materials().find(w).is_none() {
                out.unknown.push(w.to_string());
            }
        }
    }
    out
}

#[derive(Debug)]
enum Tok<'a> {
    Word(&'a str),
    Num(u32),
}

/// Splits `아크릴70 울30` into words and numbers (`70`, `2.5` rounded to whole percent).
fn tokenize(body: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    for (i, c) in body.char_indices() {
        let alpha = c.is_alphabetic();
        let numeric = c.is_ascii_digit() || (c == '.' && matches!(start, Some((_, false))));
        if alpha || numeric {
            match start {
                Some((st, kind)) if kind != alpha => {
                    push(&mut toks, &body[st..i], kind);
                    start = Some((i, alpha));
                }
                Some(_) => {}
                None => start = Some((i, alpha)),
            }
        } else if let Some((st, kind)) = start.take() {
            push(&mut toks, &body[st..i], kind);
        }
    }
    if let Some((st, kind)) = start {
        push(&mut toks, &body[st..], kind);
    }
    toks
}

fn push<'a>(toks: &mut Vec<Tok<'a>>, w: &'a str, alpha: bool) {
    if alpha {
        toks.push(Tok::Word(w));
    } else if let Ok(f) = w.trim_end_matches('.').parse::<f64>() {
        toks.push(Tok::Num(f.round().clamp(0.0, 1000.0) as u32));
    }
}

/// Words around a composition that are not materials.
fn is_noise_word(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "겉감"
            | "본체"
            | "혼용률"
            | "혼용율"
            | "소재"
            | "shell"
            | "outer"
            | "body"
            | "fabric"
            | "기타"
            | "etc"
    )
}

/// A country of origin → ISO 3166-1 alpha-2, from `한국`, `국내`, `국산`, `중국산`, `Made in Korea`.
pub fn parse_origin(raw: &str) -> Option<&'static str> {
    let s = clean(raw);
    let v = catalog::origins();
    v.find(&s)
        .or_else(|| v.find(s.trim_end_matches("산").trim_end_matches("제조")))
        .map(|t| t.code)
}

/// A season → code (`ss`, `fw`, `spring` … `transitional`, `all_season`). Years are ignored
/// (`24FW`, `2025 SS`); a list of seasons folds into the season pair it names (`봄,가을` is
/// transitional, `봄/여름` is SS, all four is all-season).
pub fn parse_season(raw: &str) -> Option<&'static str> {
    let s = clean(raw);
    let v = catalog::seasons();
    let no_year: String = s.chars().filter(|c| !c.is_ascii_digit()).collect();
    if let Some(t) = v.find(&s).or_else(|| v.find(&no_year)) {
        return Some(t.code);
    }
    let mut set: Vec<&str> = Vec::new();
    for item in no_year
        .split([',', '/', ' ', '、', '·', '&', '+'])
        .filter(|x| !x.trim().is_empty())
    {
        let code = v.find(item)?.code;
        let expanded: &[&str] = match code {
            "ss" => &["spring", "summer"],
            "fw" => &["autumn", "winter"],
            "transitional" => &["spring", "autumn"],
            "all_season" => &["spring", "summer", "autumn", "winter"],
            _ => std::slice::from_ref(&code),
        };
        for c in expanded {
            if !set.contains(c) {
                set.push(c);
            }
        }
    }
    set.sort_unstable();
    Some(match set.as_slice() {
        [one] => v.get(one)?.code,
        ["spring", "summer"] => "ss",
        ["autumn", "winter"] => "fw",
        ["autumn", "spring"] => "transitional",
        ["autumn", "spring", "summer", "winter"] => "all_season",
        _ => return None,
    })
}

/// A minimum order quantity: `1`, `2장`, `3개`, `5 pcs`, `최소 2장`. Blank or `없음` is 1.
pub fn parse_moq(raw: &str) -> Result<u32, ProblemCode> {
    let s = clean(raw).to_lowercase();
    let mut t = s.as_str().trim();
    if t.is_empty() || t == "없음" || t == "-" {
        return Ok(1);
    }
    t = t
        .trim_start_matches("최소")
        .trim_start_matches("min")
        .trim();
    let digits_end = t
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != ',')
        .map_or(t.len(), |(i, _)| i);
    let (num, unit) = t.split_at(digits_end);
    let unit = unit.trim().trim_end_matches('.');
    let unit_ok = matches!(
        unit,
        "" | "장"
            | "개"
            | "벌"
            | "피스"
            | "매"
            | "pcs"
            | "pc"
            | "ea"
            | "piece"
            | "pieces"
            | "족"
            | "켤레"
            | "set"
            | "세트"
            | "이상"
            | "장 이상"
            | "개 이상"
            | "장이상"
            | "개이상"
    ) || unit.ends_with("이상");
    let n: u32 = num
        .replace(',', "")
        .parse()
        .map_err(|_| ProblemCode::InvalidMoq)?;
    if !unit_ok || n == 0 || n > ddhub_domain::style_rules::MAX_MOQ {
        return Err(ProblemCode::InvalidMoq);
    }
    Ok(n)
}

/// A yes/no flag (same-day dispatch): `Y`, `O`, `예`, `가능`, `✓`, `당일` are yes; `N`, `X`,
/// `아니오`, `불가`, blank are no. `None` for anything else.
pub fn parse_flag(raw: &str) -> Option<bool> {
    let s = clean(raw).to_lowercase();
    match s.as_str() {
        "y" | "yes" | "o" | "○" | "◯" | "●" | "◎" | "v" | "✓" | "✔" | "☑" | "예" | "네"
        | "가능" | "당일" | "당일출고" | "당일발송" | "당일배송" | "true" | "1" | "t" | "있음"
        | "ok" => Some(true),
        "" | "n" | "no" | "x" | "×" | "✗" | "✘" | "아니오" | "아니요" | "불가" | "불가능"
        | "false" | "0" | "f" | "-" | "없음" => Some(false),
        _ => None,
    }
}

/// A stock cell → sold out? `품절`, `일시품절`, `sold out`, `0` are sold out; blank, a positive
/// quantity, `있음`, `판매중`, `미송` (backorder) are not. In a column headed `품절` (a flag
/// column), yes-words mean sold out instead. `None` for anything else.
pub fn parse_sold_out(raw: &str, flag_column: bool) -> Option<bool> {
    let s = clean(raw).to_lowercase();
    let key: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if flag_column && let Some(b) = parse_flag(&key) {
        return Some(b);
    }
    match key.as_str() {
        "품절" | "일시품절" | "완판" | "soldout" | "sold_out" | "재고없음" | "없음" | "x" | "n" => {
            Some(true)
        }
        "" | "있음" | "재고있음" | "판매중" | "정상" | "o" | "y" | "instock" | "in_stock"
        | "미송" | "품절임박" | "available" => Some(false),
        k => k.parse::<u64>().ok().map(|n| n == 0),
    }
}

/// Photo file names, `;`, `,`, `|` or newline separated, in order, without repeats.
pub fn parse_photos(raw: &str) -> Vec<String> {
    let s = clean(raw);
    let mut out: Vec<String> = Vec::new();
    for item in s
        .split([';', ',', '|', '\n', '\r'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod weight_tests {
    use super::*;

    #[test]
    fn weights_in_the_forms_sheets_use() {
        for (raw, grams) in [
            ("350g", 350),
            ("350 g", 350),
            ("350G", 350),
            ("0.35kg", 350),
            ("0.35 KG", 350),
            ("1.2킬로", 1200),
            ("350그램", 350),
            ("350", 350),
            ("350.0", 350),
            ("0.35", 350),
            ("1,200g", 1200),
            ("２５０ｇ", 250),
            ("30kg", 30_000),
        ] {
            assert_eq!(parse_weight_grams(raw), Ok(grams), "{raw}");
        }
    }

    #[test]
    fn unreadable_or_absurd_weights_are_refused() {
        for raw in [
            "",
            "가벼움",
            "350lb",
            "0g",
            "0.0001kg",
            "31kg",
            "99999",
            "1.2.3kg",
            "kg",
        ] {
            assert_eq!(
                parse_weight_grams(raw),
                Err(ProblemCode::InvalidWeight),
                "{raw}"
            );
        }
    }
}
