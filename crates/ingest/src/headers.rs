//! Column headers: which field of a style each column holds, from Korean and English synonyms
//! or from a wholesaler's saved mapping.

use crate::text::header_key;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A field of a style that a sheet column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    StyleCode,
    Title,
    Category,
    Price,
    Colours,
    Sizes,
    Composition,
    Origin,
    Season,
    Moq,
    Photos,
    Description,
    SameDay,
    Stock,
    Weight,
    /// 실측: measured sizes, one cell per style (`S: 어깨38 가슴48 / M: …`) or a free line.
    Measurements,
    /// The model's fit note (`모델 168cm 55 착용`).
    FitNote,
}

impl Field {
    pub const ALL: [Field; 17] = [
        Field::StyleCode,
        Field::Title,
        Field::Category,
        Field::Price,
        Field::Colours,
        Field::Sizes,
        Field::Composition,
        Field::Origin,
        Field::Season,
        Field::Moq,
        Field::Photos,
        Field::Description,
        Field::SameDay,
        Field::Stock,
        Field::Weight,
        Field::Measurements,
        Field::FitNote,
    ];

    /// The English key: JSON uploads use it, and it is always accepted as a header.
    pub fn key(self) -> &'static str {
        match self {
            Field::StyleCode => "style_code",
            Field::Title => "title",
            Field::Category => "category",
            Field::Price => "price",
            Field::Colours => "colours",
            Field::Sizes => "sizes",
            Field::Composition => "composition",
            Field::Origin => "origin",
            Field::Season => "season",
            Field::Moq => "moq",
            Field::Photos => "photos",
            Field::Description => "description",
            Field::SameDay => "same_day",
            Field::Stock => "stock",
            Field::Weight => "weight",
            Field::Measurements => "measurements",
            Field::FitNote => "fit_note",
        }
    }

    /// The usual Korean header, used in messages.
    pub fn label_ko(self) -> &'static str {
        match self {
            Field::StyleCode => "상품코드",
            Field::Title => "상품명",
            Field::Category => "카테고리",
            Field::Price => "도매가",
            Field::Colours => "색상",
            Field::Sizes => "사이즈",
            Field::Composition => "혼용률",
            Field::Origin => "제조국",
            Field::Season => "시즌",
            Field::Moq => "최소주문수량",
            Field::Photos => "이미지",
            Field::Description => "상세설명",
            Field::SameDay => "당일출고",
            Field::Stock => "재고",
            Field::Weight => "무게",
            Field::Measurements => "실측",
            Field::FitNote => "모델착용",
        }
    }

    /// Header words that name this field. Compared after [`header_key`], so spacing, case,
    /// full-width forms and punctuation do not matter.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::StyleCode => &[
                "상품코드",
                "품번",
                "자체코드",
                "자체상품코드",
                "상품번호",
                "스타일코드",
                "스타일번호",
                "스타일넘버",
                "제품코드",
                "품목코드",
                "모델번호",
                "코드",
                "style_code",
                "style code",
                "style no",
                "style number",
                "style",
                "code",
                "item code",
                "item no",
                "product code",
                "sku",
            ],
            Field::Title => &[
                "상품명",
                "제품명",
                "품명",
                "상품이름",
                "제품이름",
                "이름",
                "title",
                "name",
                "product name",
                "item name",
                "title_ko",
            ],
            Field::Category => &[
                "카테고리",
                "분류",
                "품목",
                "종류",
                "상품분류",
                "카테고리명",
                "category",
                "product type",
                "type",
            ],
            Field::Price => &[
                "도매가",
                "공급가",
                "가격",
                "단가",
                "도매가격",
                "도매단가",
                "공급가격",
                "도매가원",
                "price",
                "wholesale price",
                "supply price",
                "unit price",
                "price_krw",
            ],
            Field::Colours => &[
                "색상",
                "컬러",
                "칼라",
                "색",
                "색상명",
                "컬러명",
                "색깔",
                "colours",
                "colour",
                "colors",
                "color",
            ],
            Field::Sizes => &["사이즈", "치수", "사이즈명", "size", "sizes"],
            Field::Composition => &[
                "소재",
                "혼용률",
                "혼용율",
                "원단",
                "소재혼용률",
                "혼용",
                "재질",
                "composition",
                "material",
                "materials",
                "fabric",
            ],
            Field::Origin => &[
                "제조국",
                "원산지",
                "생산지",
                "제조국가",
                "생산국",
                "원산지제조국",
                "origin",
                "country of origin",
                "made in",
                "country",
            ],
            Field::Season => &["시즌", "계절", "season"],
            Field::Moq => &[
                "최소주문수량",
                "최소수량",
                "최소주문",
                "최소구매수량",
                "최소발주수량",
                "moq",
                "min order",
                "minimum order",
                "minimum order quantity",
                "min qty",
            ],
            Field::Photos => &[
                "이미지",
                "사진",
                "이미지파일",
                "사진파일",
                "이미지파일명",
                "사진파일명",
                "이미지명",
                "photos",
                "photo",
                "images",
                "image",
                "image files",
                "image file",
            ],
            Field::Description => &[
                "상세설명",
                "설명",
                "상품설명",
                "상세",
                "상세정보",
                "비고",
                "description",
                "details",
                "description_ko",
            ],
            Field::SameDay => &[
                "당일출고",
                "당일발송",
                "당일배송",
                "당일출고여부",
                "당일출고가능",
                "same_day",
                "same day",
                "same day dispatch",
                "ships today",
            ],
            Field::Stock => &[
                "재고",
                "품절",
                "품절여부",
                "재고상태",
                "재고여부",
                "판매상태",
                "stock",
                "sold_out",
                "sold out",
                "availability",
            ],
            Field::Weight => &[
                "무게",
                "중량",
                "상품무게",
                "제품무게",
                "상품중량",
                "제품중량",
                "무게g",
                "중량g",
                "무게kg",
                "중량kg",
                "weight",
                "weight g",
                "weight kg",
                "net weight",
                "shipping weight",
            ],
            Field::Measurements => &[
                "실측",
                "실측사이즈",
                "사이즈실측",
                "실측정보",
                "실측치수",
                "상세사이즈",
                "사이즈정보",
                "measurements",
                "measured sizes",
                "size chart",
            ],
            Field::FitNote => &[
                "모델착용",
                "모델정보",
                "모델사이즈",
                "착용정보",
                "모델착용사이즈",
                "fit_note",
                "fit note",
            ],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

static SYNONYMS: std::sync::LazyLock<HashMap<String, Field>> = std::sync::LazyLock::new(|| {
    let mut m = HashMap::new();
    for f in Field::ALL {
        m.insert(header_key(f.key()), f);
        for s in f.synonyms() {
            m.entry(header_key(s)).or_insert(f);
        }
    }
    m
});

/// A wholesaler's own header → field choices, saved and reused on its next uploads. It wins
/// over the built-in synonyms. Keys are compared like synonyms (case, spaces, width ignored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// Header text as the wholesaler wrote it → the field it holds, or `None` to ignore it.
    pub columns: HashMap<String, Option<Field>>,
}

impl ColumnMapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps a header to a field (`Some`) or to nothing, so it is neither a field nor a
    /// warned-about extra column (`None`).
    pub fn with(mut self, header: impl Into<String>, field: Option<Field>) -> Self {
        self.columns.insert(header.into(), field);
        self
    }

    fn lookup(&self, key: &str) -> Option<Option<Field>> {
        self.columns
            .iter()
            .find(|(h, _)| header_key(h) == key)
            .map(|(_, f)| *f)
    }
}

/// What one column of a sheet holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "field")]
pub enum ColumnRole {
    Field(Field),
    /// Kept as an extra attribute under its header.
    Extra,
    /// The caller's mapping says to ignore it.
    Ignored,
    /// A second column for a field already taken by an earlier column.
    Duplicate(Field),
    /// One measure of the measured sizes (`어깨`, `가슴단면`, `총장` …), by its Korean label.
    Measure(String),
}

/// Resolves one header: the caller's mapping first, then the synonyms, then the synonyms with
/// bracketed notes removed (`도매가(원)` → `도매가`).
pub fn resolve_header(header: &str, mapping: &ColumnMapping) -> ColumnRole {
    let key = header_key(header);
    if key.is_empty() {
        return ColumnRole::Extra;
    }
    // The columns our own error report adds, so a fixed report uploads again cleanly.
    if key == "오류내용" || key == "원본행" {
        return ColumnRole::Ignored;
    }
    if let Some(choice) = mapping.lookup(&key) {
        return choice.map_or(ColumnRole::Ignored, ColumnRole::Field);
    }
    if let Some(f) = SYNONYMS.get(&key) {
        return ColumnRole::Field(*f);
    }
    if crate::measure::measure_word(header).is_some()
        || crate::measure::measure_word(&strip_brackets(header)).is_some()
    {
        return ColumnRole::Measure(header.trim().to_string());
    }
    let stripped = header_key(&strip_brackets(header));
    if !stripped.is_empty()
        && let Some(f) = SYNONYMS.get(&stripped)
    {
        return ColumnRole::Field(*f);
    }
    ColumnRole::Extra
}

/// The role of every column; a field claimed twice goes to the leftmost column.
pub fn resolve_headers(headers: &[String], mapping: &ColumnMapping) -> Vec<ColumnRole> {
    let mut taken = std::collections::HashSet::new();
    headers
        .iter()
        .map(|h| match resolve_header(h, mapping) {
            ColumnRole::Field(f) if !taken.insert(f) => ColumnRole::Duplicate(f),
            other => other,
        })
        .collect()
}

fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '（' | '［' | '<' | '{' => depth += 1,
            ')' | ']' | '）' | '］' | '>' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
