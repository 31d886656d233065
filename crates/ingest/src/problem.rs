//! Problems found in a sheet, each pointing at a row and column as the owner sees them, in
//! Korean and English.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is. A row with an error is skipped whole; a warning only informs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What is wrong. The snake_case name is stable: API clients and `locales/` key on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    MissingColumn,
    UnknownColumn,
    DuplicateColumn,
    MissingStyleCode,
    InvalidStyleCode,
    StyleCodeTooLong,
    DuplicateStyleCode,
    MissingTitle,
    TitleTooLong,
    MissingPrice,
    InvalidPrice,
    PriceOutOfRange,
    PriceUnusuallyHigh,
    MissingColours,
    UnknownColour,
    MissingSizes,
    UnknownSize,
    InvalidSizeRange,
    UnknownCategory,
    UnknownMaterial,
    CompositionTotal,
    CompositionUnparsed,
    UnknownOrigin,
    UnknownSeason,
    InvalidMoq,
    InvalidFlag,
    InvalidStock,
    TooManyRows,
    DescriptionTooLong,
    TooManySkus,
    ControlCharacters,
    UndecodableText,
    InvalidWeight,
    MeasurementImplausible,
    MeasurementUnreadable,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        use ProblemCode::*;
        match self {
            MissingColumn => "missing_column",
            UnknownColumn => "unknown_column",
            DuplicateColumn => "duplicate_column",
            MissingStyleCode => "missing_style_code",
            InvalidStyleCode => "invalid_style_code",
            StyleCodeTooLong => "style_code_too_long",
            DuplicateStyleCode => "duplicate_style_code",
            MissingTitle => "missing_title",
            TitleTooLong => "title_too_long",
            MissingPrice => "missing_price",
            InvalidPrice => "invalid_price",
            PriceOutOfRange => "price_out_of_range",
            PriceUnusuallyHigh => "price_unusually_high",
            MissingColours => "missing_colours",
            UnknownColour => "unknown_colour",
            MissingSizes => "missing_sizes",
            UnknownSize => "unknown_size",
            InvalidSizeRange => "invalid_size_range",
            UnknownCategory => "unknown_category",
            UnknownMaterial => "unknown_material",
            CompositionTotal => "composition_total",
            CompositionUnparsed => "composition_unparsed",
            UnknownOrigin => "unknown_origin",
            UnknownSeason => "unknown_season",
            InvalidMoq => "invalid_moq",
            InvalidFlag => "invalid_flag",
            InvalidStock => "invalid_stock",
            TooManyRows => "too_many_rows",
            DescriptionTooLong => "description_too_long",
            TooManySkus => "too_many_skus",
            ControlCharacters => "control_characters",
            UndecodableText => "undecodable_text",
            InvalidWeight => "invalid_weight",
            MeasurementImplausible => "measurement_implausible",
            MeasurementUnreadable => "measurement_unreadable",
        }
    }

    /// The severity this code always has.
    pub fn severity(self) -> Severity {
        use ProblemCode::*;
        match self {
            UnknownColumn
            | DuplicateColumn
            | TitleTooLong
            | PriceUnusuallyHigh
            | MissingSizes
            | UnknownCategory
            | UnknownMaterial
            | CompositionTotal
            | CompositionUnparsed
            | UnknownOrigin
            | UnknownSeason
            | InvalidFlag
            | InvalidStock
            | ControlCharacters
            | UndecodableText
            | MeasurementImplausible
            | MeasurementUnreadable
            | InvalidWeight => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Korean message for the shop owner; `v` is the offending value, `col` the header.
    pub fn message_ko(self, col: &str, v: &str) -> String {
        use ProblemCode::*;
        // The particle after the value is the one its last sound takes ('삼장'을, '소라'를).
        let (eul, iga, eun) = (
            particle(v, Josa::EulReul),
            particle(v, Josa::IGa),
            particle(v, Josa::EunNeun),
        );
        match self {
            MissingColumn => format!("'{v}' 열이 없습니다. 제목 행에 '{v}' 열을 추가해 주세요."),
            UnknownColumn => format!("'{col}' 열은 알 수 없는 항목이라 추가 정보로만 저장합니다."),
            DuplicateColumn => {
                format!("'{col}' 열이 같은 항목을 한 번 더 담고 있어 앞쪽 열만 사용합니다.")
            }
            MissingStyleCode => {
                "상품코드가 비어 있습니다. 상품마다 고유한 상품코드(품번)를 넣어 주세요.".into()
            }
            InvalidStyleCode => format!("상품코드 '{v}'에 쓸 수 없는 문자가 있습니다."),
            StyleCodeTooLong => format!("상품코드 '{v}'{iga} 너무 깁니다(최대 64자)."),
            DuplicateStyleCode => format!(
                "상품코드 '{v}'{iga} 위쪽 행에서 이미 쓰였습니다. 상품코드는 상품마다 달라야 합니다."
            ),
            MissingTitle => "상품명이 비어 있습니다.".into(),
            TitleTooLong => "상품명이 너무 깁니다(200자 넘음). 앞부분만 사용합니다.".into(),
            MissingPrice => "도매가가 비어 있습니다.".into(),
            InvalidPrice => format!(
                "도매가 '{v}'{eul} 읽을 수 없습니다. 18000, 18,000원, 1.8만 처럼 적어 주세요."
            ),
            PriceOutOfRange => {
                format!("도매가 '{v}'{iga} 올바른 범위가 아닙니다(1원 이상 10억 원 미만).")
            }
            PriceUnusuallyHigh => {
                format!("도매가 '{v}'{iga} 평소보다 매우 높습니다. 금액이 맞는지 확인해 주세요.")
            }
            MissingColours => "색상이 비어 있습니다. 예: 블랙,아이보리".into(),
            UnknownColour => format!(
                "'{v}'{eun} 알 수 없는 색상입니다. 블랙, 아이보리, 소라처럼 표준 색상명으로 적어 주세요."
            ),
            MissingSizes => "사이즈가 비어 있어 FREE(프리)로 등록합니다.".into(),
            UnknownSize => format!(
                "'{v}'{eun} 알 수 없는 사이즈입니다. FREE, S, M, L, 55, 66, 25, 230 처럼 적어 주세요."
            ),
            InvalidSizeRange => format!(
                "사이즈 범위 '{v}'{eul} 읽을 수 없습니다. 55~77, S~XL, 230~250 처럼 같은 종류끼리 적어 주세요."
            ),
            UnknownCategory => format!("카테고리 '{v}'{eul} 찾지 못해 미분류로 등록합니다."),
            UnknownMaterial => format!("소재 '{v}'{eul} 알 수 없어 혼용률에서 뺐습니다."),
            CompositionTotal => format!("혼용률 합계가 100%가 아닙니다({v}). 확인해 주세요."),
            CompositionUnparsed => format!(
                "혼용률 '{v}'{eul} 읽지 못했습니다. '면 100%', '아크릴70 울30' 처럼 적어 주세요."
            ),
            UnknownOrigin => {
                format!("제조국 '{v}'{eul} 알 수 없어 비워 둡니다. 한국, 중국처럼 적어 주세요.")
            }
            UnknownSeason => format!(
                "시즌 '{v}'{eul} 알 수 없어 비워 둡니다. SS, FW, 봄, 여름, 간절기처럼 적어 주세요."
            ),
            InvalidMoq => {
                format!("최소주문수량 '{v}'{eul} 읽을 수 없습니다. 1 이상의 숫자로 적어 주세요.")
            }
            InvalidFlag => format!(
                "'{col}' 값 '{v}'{eul} 알 수 없어 '아니오'로 처리합니다. Y 또는 N으로 적어 주세요."
            ),
            InvalidStock => format!(
                "재고 값 '{v}'{eul} 알 수 없어 판매중으로 처리합니다. 품절이면 '품절'이라고 적어 주세요."
            ),
            TooManyRows => format!("행이 너무 많습니다(최대 {v}행)."),
            DescriptionTooLong => format!(
                "상세설명이 너무 깁니다({v}자). {}자 이내로 줄여 주세요.",
                ddhub_domain::style_rules::MAX_DESCRIPTION_CHARS
            ),
            TooManySkus => format!(
                "색상 × 사이즈 조합이 너무 많습니다({v}개). 한 상품에 {}개까지 올릴 수 있습니다.",
                ddhub_domain::style_rules::MAX_SKUS
            ),
            ControlCharacters => {
                format!("'{col}' 칸에 보이지 않는 제어 문자가 있어 지우고 등록했습니다. 값: '{v}'")
            }
            UndecodableText => format!(
                "'{col}' 칸의 글자 일부가 파일의 다른 행과 인코딩이 달라 읽지 못했습니다(�로 표시). 이 행을 다시 입력해 주세요. 값: '{v}'"
            ),
            InvalidWeight => format!(
                "무게 '{v}'{eul} 읽을 수 없어 카테고리 기본값(추정치)을 씁니다. 350g, 0.35kg처럼 적어 주세요(1g~30kg)."
            ),
            MeasurementImplausible => format!(
                "실측 값 '{v}'{iga} 옷의 치수로 보기 어려워 빼고 등록했습니다. cm 단위로 적었는지 확인해 주세요."
            ),
            MeasurementUnreadable => format!(
                "'{col}' 칸의 '{v}'{eul} 실측으로 읽지 못했습니다. 'S: 어깨38 가슴단면48 총장62 / M: …' 처럼 적어 주세요."
            ),
        }
    }

    pub fn message_en(self, col: &str, v: &str) -> String {
        use ProblemCode::*;
        match self {
            MissingColumn => format!("there is no '{v}' column; add it to the header row"),
            UnknownColumn => {
                format!("column '{col}' is not a known field; it is kept as an extra attribute")
            }
            DuplicateColumn => format!(
                "column '{col}' repeats a field of an earlier column; only the first is used"
            ),
            MissingStyleCode => "the style code is empty; every style needs its own code".into(),
            InvalidStyleCode => {
                format!("style code '{v}' contains characters that are not allowed")
            }
            StyleCodeTooLong => format!("style code '{v}' is longer than 64 characters"),
            DuplicateStyleCode => {
                format!("style code '{v}' is already used by a row above; codes must be unique")
            }
            MissingTitle => "the title is empty".into(),
            TitleTooLong => "the title is longer than 200 characters; it was cut".into(),
            MissingPrice => "the wholesale price is empty".into(),
            InvalidPrice => {
                format!("the price '{v}' cannot be read; write it like 18000, 18,000원 or 1.8만")
            }
            PriceOutOfRange => {
                format!("the price '{v}' is out of range (1 won to under 1 billion won)")
            }
            PriceUnusuallyHigh => format!("the price '{v}' is unusually high; please check it"),
            MissingColours => "the colour list is empty".into(),
            UnknownColour => format!("'{v}' is not a known colour; use a standard colour name"),
            MissingSizes => "the size list is empty; registered as one size (FREE)".into(),
            UnknownSize => format!("'{v}' is not a known size"),
            InvalidSizeRange => {
                format!("the size range '{v}' cannot be read; both ends must be sizes of one kind")
            }
            UnknownCategory => {
                format!("category '{v}' is not known; the style is left uncategorised")
            }
            UnknownMaterial => {
                format!("material '{v}' is not known; it was left out of the composition")
            }
            CompositionTotal => format!("the composition adds up to {v}, not 100%"),
            CompositionUnparsed => format!("the composition '{v}' cannot be read"),
            UnknownOrigin => format!("country of origin '{v}' is not known; left empty"),
            UnknownSeason => format!("season '{v}' is not known; left empty"),
            InvalidMoq => {
                format!("the minimum order quantity '{v}' is not a whole number of at least 1")
            }
            InvalidFlag => format!("'{v}' in column '{col}' is not yes or no; taken as no"),
            InvalidStock => format!("stock value '{v}' is not known; taken as in stock"),
            TooManyRows => format!("too many rows (at most {v})"),
            DescriptionTooLong => format!(
                "the description is {v} characters long: at most {}",
                ddhub_domain::style_rules::MAX_DESCRIPTION_CHARS
            ),
            TooManySkus => format!(
                "{v} colour × size combinations: at most {} per style",
                ddhub_domain::style_rules::MAX_SKUS
            ),
            ControlCharacters => {
                format!(
                    "column '{col}' held invisible control characters; they were removed: '{v}'"
                )
            }
            UndecodableText => format!(
                "part of column '{col}' is in another text encoding than the rest of the file \
                 and could not be read (shown as �); enter this row again: '{v}'"
            ),
            InvalidWeight => format!(
                "weight '{v}' cannot be read; the category's estimated default is used \
                 (write 350g or 0.35kg, 1 g to 30 kg)"
            ),
            MeasurementImplausible => format!(
                "the measurement '{v}' is not a plausible garment size; it was left out (check it is in cm)"
            ),
            MeasurementUnreadable => format!(
                "'{v}' in column '{col}' cannot be read as a measurement; write it like 'S: 어깨38 가슴단면48 총장62 / M: …'"
            ),
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, as the row report and the API show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Excel row number as the owner sees it (the header row for column problems).
    pub row: u32,
    /// The header as written (empty when the problem is about the whole row).
    pub column: String,
    /// The offending value as written.
    pub value: String,
    pub severity: Severity,
    pub code: ProblemCode,
    pub message_ko: String,
    pub message_en: String,
}

impl Problem {
    pub fn new(row: u32, column: &str, value: &str, code: ProblemCode) -> Problem {
        Problem {
            row,
            column: column.to_string(),
            value: value.to_string(),
            severity: code.severity(),
            code,
            message_ko: code.message_ko(column, value),
            message_en: code.message_en(column, value),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Which particle of a pair: 을/를, 이/가 or 은/는.
#[derive(Clone, Copy)]
pub enum Josa {
    EulReul,
    IGa,
    EunNeun,
}

/// The particle `josa` takes after `word`: the consonant-final form after a Hangul syllable
/// with a final consonant (받침) or a digit read with one, the vowel-final form otherwise, and
/// both forms after anything else (a Latin code, a symbol), as Korean forms do when unsure.
///
/// By hand, not the `josa` crate: that crate implements `Add<Josa> for String`, and one such
/// impl anywhere in the build makes every `String + &String` in the workspace ambiguous.
pub fn particle(word: &str, josa: Josa) -> &'static str {
    let (closed, open, both) = match josa {
        Josa::EulReul => ("을", "를", "을(를)"),
        Josa::IGa => ("이", "가", "이(가)"),
        Josa::EunNeun => ("은", "는", "은(는)"),
    };
    match word.trim().chars().last() {
        // Hangul syllables are laid out so that (code - 가) % 28 is the final consonant.
        Some(c @ '가'..='힣') => {
            if (u32::from(c) - u32::from('가')) % 28 == 0 {
                open
            } else {
                closed
            }
        }
        // 영 일 이 삼 사 오 육 칠 팔 구: 0, 1, 3, 6, 7 and 8 end in a consonant.
        Some('0' | '1' | '3' | '6' | '7' | '8') => closed,
        Some('2' | '4' | '5' | '9') => open,
        _ => both,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_follow_the_word() {
        let m = |v: &str| ProblemCode::InvalidPrice.message_ko("도매가", v);
        assert!(m("삼장").contains("'삼장'을 "), "{}", m("삼장"));
        assert!(m("소라").contains("'소라'를 "), "{}", m("소라"));
        assert!(m("18003").contains("'18003'을 "), "{}", m("18003"));
        assert!(m("1.8만2").contains("'1.8만2'를 "), "{}", m("1.8만2"));
        assert!(m("abc").contains("'abc'을(를) "), "{}", m("abc"));
        let c = |v: &str| ProblemCode::UnknownColour.message_ko("색상", v);
        assert!(c("핑크").starts_with("'핑크'는 "), "{}", c("핑크"));
        assert!(c("곤색").starts_with("'곤색'은 "), "{}", c("곤색"));
    }
}
