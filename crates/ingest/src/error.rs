//! File-level failures: the upload cannot be read at all. Each has a stable code and a message
//! in Korean (for the shop owner) and English (`Display`, for programs and logs).

use serde::Serialize;

/// A ZIP (photo bundle or XLSX container) that is broken or passes a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("the archive lists {count} entries; at most {limit} are allowed")]
    TooManyEntries { count: usize, limit: usize },
    #[error("entry {name:?} expands to more than {limit} bytes")]
    EntryTooLarge { name: String, limit: u64 },
    #[error("the archive expands to more than {limit} bytes in total")]
    TotalTooLarge { limit: u64 },
    #[error("the archive is password-protected")]
    Encrypted,
    #[error("the archive is damaged: {0}")]
    Corrupt(String),
    #[error("could not write an entry out: {0}")]
    Write(String),
    #[error("no entry number {0} in the archive")]
    NoSuchEntry(usize),
}

impl ZipError {
    pub fn code(&self) -> &'static str {
        match self {
            ZipError::TooManyEntries { .. } => "zip_too_many_entries",
            ZipError::EntryTooLarge { .. } => "zip_entry_too_large",
            ZipError::TotalTooLarge { .. } => "zip_total_too_large",
            ZipError::Encrypted => "zip_encrypted",
            ZipError::Corrupt(_) => "zip_corrupt",
            ZipError::Write(_) => "zip_write_failed",
            ZipError::NoSuchEntry(_) => "zip_no_such_entry",
        }
    }

    pub fn message_ko(&self) -> String {
        match self {
            ZipError::TooManyEntries { count, limit } => {
                format!(
                    "압축 파일 안의 파일이 너무 많습니다({count}개). 최대 {limit}개까지 올릴 수 있습니다."
                )
            }
            ZipError::EntryTooLarge { name, limit } => format!(
                "압축 파일 안의 '{name}' 파일이 너무 큽니다. 파일 하나는 압축을 풀었을 때 {}까지 허용됩니다.",
                human_bytes(*limit)
            ),
            ZipError::TotalTooLarge { limit } => format!(
                "압축을 풀었을 때 전체 크기가 너무 큽니다. 최대 {}까지 허용됩니다.",
                human_bytes(*limit)
            ),
            ZipError::Encrypted => {
                "암호가 걸린 압축 파일은 읽을 수 없습니다. 암호 없이 다시 압축해 주세요.".into()
            }
            ZipError::Corrupt(_) => {
                "압축 파일이 손상되어 읽을 수 없습니다. 다시 압축해서 올려 주세요.".into()
            }
            ZipError::Write(_) => {
                "파일을 저장하는 중 오류가 났습니다. 잠시 후 다시 시도해 주세요.".into()
            }
            ZipError::NoSuchEntry(_) => "압축 파일에서 해당 파일을 찾을 수 없습니다.".into(),
        }
    }
}

/// Why a sheet could not be read at all. Nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; at most {limit} are allowed")]
    TooLarge { size: usize, limit: usize },
    #[error("the sheet has more than {limit} rows")]
    TooManyRows { limit: usize },
    #[error("a row has more than {limit} columns")]
    TooManyColumns { limit: usize },
    #[error("unknown text encoding {0:?}")]
    UnknownEncoding(String),
    #[error("the workbook's sheets span {cells} cells; at most {limit} can be read")]
    TooManyCells { cells: u64, limit: u64 },
    #[error("the workbook has no sheet named {0:?}")]
    SheetNotFound(String),
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("the Excel file could not be read: {0}")]
    Xlsx(String),
    #[error("the CSV file could not be read: {0}")]
    Csv(String),
    #[error("the JSON could not be read: {0}")]
    Json(String),
    #[error("the JSON must be an array of objects")]
    JsonShape,
    #[error("no header row was found in the first {0} rows")]
    NoHeaderRow(usize),
    #[error("the Excel file is not a valid archive: {0}")]
    Zip(#[from] ZipError),
    #[error("{name:?} is not a spreadsheet: it is {found}")]
    NotASpreadsheet { name: String, found: &'static str },
    #[error("a cell holds more than {limit} bytes of text")]
    CellTooLong { limit: usize },
    #[error("the workbook's shared strings inflate past {limit} bytes")]
    TooManyStrings { limit: u64 },
}

impl SheetError {
    /// Stable snake_case code: the key of the message in `locales/`, and what the API returns.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::Empty => "sheet_empty",
            SheetError::TooLarge { .. } => "sheet_too_large",
            SheetError::TooManyRows { .. } => "sheet_too_many_rows",
            SheetError::TooManyColumns { .. } => "sheet_too_many_columns",
            SheetError::UnknownEncoding(_) => "unknown_encoding",
            SheetError::TooManyCells { .. } => "sheet_too_many_cells",
            SheetError::SheetNotFound(_) => "sheet_not_found",
            SheetError::NoSheets => "no_sheets",
            SheetError::Xlsx(_) => "xlsx_unreadable",
            SheetError::Csv(_) => "csv_unreadable",
            SheetError::Json(_) => "json_unreadable",
            SheetError::JsonShape => "json_not_array_of_objects",
            SheetError::NoHeaderRow(_) => "no_header_row",
            SheetError::Zip(z) => z.code(),
            SheetError::NotASpreadsheet { .. } => "not_a_spreadsheet",
            SheetError::CellTooLong { .. } => "sheet_cell_too_long",
            SheetError::TooManyStrings { .. } => "sheet_too_many_strings",
        }
    }

    pub fn message_ko(&self) -> String {
        match self {
            SheetError::Empty => "빈 파일입니다. 상품 목록이 든 엑셀이나 CSV 파일을 올려 주세요.".into(),
            SheetError::TooLarge { limit, .. } => format!(
                "파일이 너무 큽니다. 최대 {}까지 올릴 수 있습니다. 파일을 나눠서 올려 주세요.",
                human_bytes(*limit as u64)
            ),
            SheetError::TooManyRows { limit } => format!(
                "행이 너무 많습니다. 한 번에 최대 {limit}행까지 올릴 수 있습니다. 파일을 나눠서 올려 주세요."
            ),
            SheetError::TooManyColumns { limit } => {
                format!("열이 너무 많습니다(최대 {limit}열). 파일이 손상되었는지 확인해 주세요.")
            }
            SheetError::UnknownEncoding(e) => format!(
                "알 수 없는 인코딩 '{e}'입니다. utf-8 또는 cp949(euc-kr) 중에서 골라 주세요."
            ),
            SheetError::TooManyCells { limit, .. } => format!(
                "엑셀 시트의 범위가 너무 넓습니다(최대 {limit}칸). 상품 목록 밖의 먼 칸에 값이 있는지 확인하고, 필요 없는 행과 열을 지운 뒤 다시 올려 주세요."
            ),
            SheetError::SheetNotFound(n) => format!("'{n}' 시트를 찾을 수 없습니다. 시트 이름을 확인해 주세요."),
            SheetError::NoSheets => "엑셀 파일에 시트가 없습니다.".into(),
            SheetError::Xlsx(_) => "엑셀 파일을 읽을 수 없습니다. 파일이 손상되지 않았는지 확인하고 다시 저장해서 올려 주세요.".into(),
            SheetError::Csv(_) => "CSV 파일을 읽을 수 없습니다. 엑셀에서 다시 저장해서 올려 주세요.".into(),
            SheetError::Json(_) => "JSON 형식이 올바르지 않습니다.".into(),
            SheetError::JsonShape => "JSON은 상품 객체의 배열이어야 합니다.".into(),
            SheetError::NoHeaderRow(n) => format!(
                "처음 {n}행 안에서 제목 행(상품코드, 상품명, 도매가 …)을 찾지 못했습니다."
            ),
            SheetError::Zip(z) => z.message_ko(),
            SheetError::CellTooLong { .. } => "한 칸에 든 글자가 너무 많습니다(엑셀 한 칸은 32,767자까지입니다). 파일이 손상되었는지 확인해 주세요.".into(),
            SheetError::TooManyStrings { limit } => format!(
                "엑셀 파일 안의 글자 데이터가 너무 큽니다(최대 {}). 파일을 나눠서 올려 주세요.",
                human_bytes(*limit)
            ),
            SheetError::NotASpreadsheet { name, .. } => format!(
                "'{name}'은(는) 스프레드시트 파일이 아닙니다(이름과 내용이 맞지 않습니다). 상품 목록이 든 엑셀(.xlsx)이나 CSV 파일을 올려 주세요."
            ),
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The JSON form of a file-level failure, as the API and the CLI print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFailure {
    pub code: &'static str,
    pub message_ko: String,
    pub message_en: String,
}

impl From<&SheetError> for FileFailure {
    fn from(e: &SheetError) -> Self {
        FileFailure {
            code: e.code(),
            message_ko: e.message_ko(),
            message_en: e.message_en(),
        }
    }
}

pub(crate) fn human_bytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= 1024 * MB {
        format!("{:.1} GB", n as f64 / (1024 * MB) as f64)
    } else if n >= MB {
        format!("{} MB", n / MB)
    } else {
        format!("{n} bytes")
    }
}
