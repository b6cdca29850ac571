use std::path::PathBuf;

/// Everything that can go wrong while preparing a dataset. Each message says what was wrong,
/// where, and how to fix it, because these reach users through the CLI and `lathe plan`.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot read as {format}: {message}")]
    Read {
        path: PathBuf,
        format: &'static str,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Record {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "source pattern {pattern:?} matches no files; check the path (relative to the working directory) or the glob"
    )]
    NoFiles { pattern: String },
    #[error("source pattern {pattern:?} is not a valid glob: {message}")]
    BadGlob { pattern: String, message: String },
    #[error(
        "{path}: cannot tell the file format from the extension; name it .parquet, .jsonl, .json, .csv, .tsv or .txt, or set the source format"
    )]
    UnknownFormat { path: PathBuf },
    #[error(
        "{path}: columns {found:?} differ from the first file's {expected:?}; all source files must share one schema"
    )]
    SchemaMismatch {
        path: PathBuf,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("{step}: column {column:?} does not exist (columns are {available:?})")]
    UnknownColumn {
        step: String,
        column: String,
        available: Vec<String>,
    },
    #[error("{step}: {message}")]
    Step { step: String, message: String },
    #[error("{context} at column {column}: {message}\n  {text}\n  {caret:>width$}", caret = "^", width = column)]
    Expression {
        context: &'static str,
        text: String,
        column: usize,
        message: String,
    },
    #[error("recipe: {0}")]
    Recipe(String),
    #[error(
        "the {format} format needs column {column:?}, but the data has {available:?}; rename or template a column to {column:?}"
    )]
    MissingOutputColumn {
        format: &'static str,
        column: String,
        available: Vec<String>,
    },
    #[error(
        "the {format} format writes only {allowed:?}, but the data also has {extra:?}; drop them with drop_columns or pick columns with select_columns"
    )]
    ExtraOutputColumns {
        format: &'static str,
        allowed: Vec<&'static str>,
        extra: Vec<String>,
    },
    #[error(
        "column {column:?} holds {found} values, but {needs} needs text; cast or template it into a string"
    )]
    NotText {
        column: String,
        found: String,
        needs: String,
    },
    #[error("tokenizer {path}: {message}")]
    Tokenizer { path: PathBuf, message: String },
    #[error("the prepared data has {count} problem(s):\n{summary}")]
    Invalid { count: usize, summary: String },
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("a pipeline thread stopped unexpectedly: {0}")]
    Thread(String),
}

impl DatasetError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DatasetError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = DatasetError> = std::result::Result<T, E>;
