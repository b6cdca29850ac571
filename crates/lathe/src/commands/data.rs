//! `lathe data`: validate, preview, describe, generate and prepare training data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lathe_dataset::{
    Format, HashCache, ModelProfile, OutputFormat, Recipe, RowCounter, RunOptions, Source, Step,
    TokenCounter,
};

#[derive(Debug, clap::Subcommand)]
pub enum DataCommand {
    /// Check a JSONL training file against Bedrock's rules; lists each problem by line.
    Validate(ValidateArgs),
    /// Print the first rows of a data file as a table.
    Preview(PreviewArgs),
    /// Print each column's length distribution as a histogram.
    Stats(StatsArgs),
    /// Generate demo and benchmark data.
    Synth(SynthArgs),
    /// Run a dataset recipe (JSON) or one described by flags.
    Prepare(PrepareArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    FineTuning,
    ContinuedPreTraining,
    Chat,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::FineTuning => Format::FineTuning,
            FormatArg::ContinuedPreTraining => Format::ContinuedPreTraining,
            FormatArg::Chat => Format::Chat,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "fine-tuning")]
    pub format: FormatArg,
    /// Target model family, for its minimum record count (e.g. cohere: 32).
    #[arg(long, default_value = "default")]
    pub model_profile: String,
    /// A tokenizer.json to count tokens with, instead of 6 characters per token.
    #[arg(long)]
    pub tokenizer: Option<PathBuf>,
    /// How many problems to list before the summary.
    #[arg(long, default_value_t = 50)]
    pub max_problems: usize,
}

#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    pub file: PathBuf,
    #[arg(short = 'n', long, default_value_t = 10)]
    pub rows: usize,
    /// Widest a cell may be, in characters.
    #[arg(long, default_value_t = 40)]
    pub width: usize,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    pub file: PathBuf,
    #[arg(long, default_value_t = 10)]
    pub buckets: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SynthKind {
    /// Dialogue/summary pairs shaped like DialogSum (id, dialogue, summary, topic).
    Dialogsum,
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    #[arg(value_enum)]
    pub kind: SynthKind,
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output file: .jsonl or .parquet.
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PrepareArgs {
    /// A recipe in JSON (the same shape the lathe_dataset resource builds).
    #[arg(long, conflicts_with_all = ["source", "drop", "select", "rename", "filter", "sample_n", "sample_fraction"])]
    pub recipe: Option<PathBuf>,
    /// Files, globs or hf://datasets/ORG/NAME[@REVISION].
    #[arg(long)]
    pub source: Vec<String>,
    /// For hf:// sources: which split and config.
    #[arg(long, default_value = "train")]
    pub hf_split: String,
    #[arg(long)]
    pub hf_config: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub drop: Vec<String>,
    /// OLD=NEW, repeatable.
    #[arg(long, value_delimiter = ',')]
    pub rename: Vec<String>,
    #[arg(long)]
    pub filter: Option<String>,
    #[arg(long)]
    pub sample_n: Option<u64>,
    #[arg(long)]
    pub sample_fraction: Option<f64>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Put rows in a seeded random order instead of file order.
    #[arg(long)]
    pub shuffle: bool,
    #[arg(long, value_enum, default_value = "fine-tuning")]
    pub format: FormatArg,
    #[arg(long)]
    pub parquet: bool,
    #[arg(long, default_value = "default")]
    pub model_profile: String,
    /// Output folder; defaults to .lathe/datasets/VERSION.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Prints a line; a closed pipe (`lathe data preview big.parquet | head`) ends output quietly
/// instead of panicking.
fn line(text: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{text}");
}

pub fn run(command: &DataCommand) -> Result<()> {
    match command {
        DataCommand::Validate(arguments) => validate(arguments),
        DataCommand::Preview(arguments) => preview(arguments),
        DataCommand::Stats(arguments) => stats(arguments),
        DataCommand::Synth(arguments) => synth(arguments),
        DataCommand::Prepare(arguments) => prepare(arguments),
    }
}

fn validate(arguments: &ValidateArgs) -> Result<()> {
    let profile = ModelProfile::named(&arguments.model_profile)?;
    let counter = TokenCounter::load(arguments.tokenizer.as_deref())?;
    let report =
        lathe_dataset::validate_file(&arguments.file, arguments.format.into(), &profile, &counter)?;
    if report.is_valid() {
        line(format_args!(
            "{}: {} records, {} characters, {} tokens: valid for {}",
            arguments.file.display(),
            report.records,
            report.characters,
            report.tokens,
            Format::from(arguments.format).name()
        ));
        return Ok(());
    }
    line(report.render(arguments.max_problems));
    bail!(
        "{} problem(s) in {}",
        report.total_problems(),
        arguments.file.display()
    )
}

/// One line per cell: newlines shown as ⏎, long values cut with …
fn cell(text: &str, width: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if c == '\n' {
                '⏎'
            } else if c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    if flat.chars().count() <= width {
        return flat;
    }
    let mut cut: String = flat.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn preview(arguments: &PreviewArgs) -> Result<()> {
    let preview = lathe_dataset::inspect::preview(&arguments.file, arguments.rows)?;
    for text in preview_lines(&preview, arguments.width) {
        line(text);
    }
    Ok(())
}

/// The preview as a table: a header, a rule, one line per row, then the count.
fn preview_lines(preview: &lathe_dataset::inspect::Preview, width: usize) -> Vec<String> {
    let width = width.max(4);
    let rows: Vec<Vec<String>> = preview
        .rows
        .iter()
        .map(|row| row.iter().map(|value| cell(value, width)).collect())
        .collect();
    let widths: Vec<usize> = preview
        .columns
        .iter()
        .enumerate()
        .map(|(index, name)| {
            rows.iter()
                .map(|row| row[index].chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render_row = |values: &[String]| -> String {
        values
            .iter()
            .zip(&widths)
            .map(|(value, width)| format!("{value}{}", " ".repeat(width - value.chars().count())))
            .collect::<Vec<_>>()
            .join(" │ ")
            .trim_end()
            .to_string()
    };
    let mut lines = vec![
        render_row(&preview.columns),
        widths
            .iter()
            .map(|width| "─".repeat(*width))
            .collect::<Vec<_>>()
            .join("─┼─"),
    ];
    lines.extend(rows.iter().map(|row| render_row(row)));
    lines.push(format!("({} row(s) shown)", rows.len()));
    lines
}

fn stats(arguments: &StatsArgs) -> Result<()> {
    let stats = lathe_dataset::inspect::stats(&arguments.file, arguments.buckets)?;
    line(format_args!(
        "{}: {} rows",
        arguments.file.display(),
        stats.rows
    ));
    for text in stats_lines(&stats) {
        line(text);
    }
    Ok(())
}

/// Each column's summary and its length histogram, bars scaled to the fullest bucket.
fn stats_lines(stats: &lathe_dataset::inspect::Stats) -> Vec<String> {
    let mut lines = Vec::new();
    for column in &stats.columns {
        lines.push(String::new());
        lines.push(format!(
            "{}: {} values, {} null; characters min {} / mean {:.1} / max {}; about {} tokens",
            column.name,
            column.values,
            column.nulls,
            column.min,
            column.mean,
            column.max,
            column.estimated_tokens
        ));
        let most = column
            .histogram
            .iter()
            .map(|bucket| bucket.2)
            .max()
            .unwrap_or(0)
            .max(1);
        let labels: Vec<String> = column
            .histogram
            .iter()
            .map(|(from, to, _)| format!("{from}–{}", to - 1))
            .collect();
        let label_width = labels
            .iter()
            .map(|label| label.chars().count())
            .max()
            .unwrap_or(0);
        for (label, (_, _, count)) in labels.iter().zip(&column.histogram) {
            let bar = "█".repeat(((count * 40).div_ceil(most)) as usize);
            let padding = " ".repeat(label_width - label.chars().count());
            lines.push(format!("  {padding}{label} │{bar} {count}"));
        }
    }
    lines
}

fn output_format(path: &Path) -> Result<OutputFormat> {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("jsonl") => Ok(OutputFormat::Jsonl),
        Some("parquet") => Ok(OutputFormat::Parquet),
        _ => bail!("{}: name the output .jsonl or .parquet", path.display()),
    }
}

fn synth(arguments: &SynthArgs) -> Result<()> {
    let format = output_format(&arguments.output)?;
    let SynthKind::Dialogsum = arguments.kind;
    let written = with_progress(Some(arguments.rows), |progress| {
        lathe_dataset::synth::write_dialogsum(
            &arguments.output,
            arguments.rows,
            arguments.seed,
            format,
            Some(&progress),
        )
    })?;
    line(format_args!(
        "{}: {} rows, {} bytes, sha256 {}",
        written.path.display(),
        arguments.rows,
        written.bytes,
        written.sha256
    ));
    Ok(())
}

fn recipe_from_flags(arguments: &PrepareArgs) -> Result<Recipe> {
    if arguments.source.is_empty() {
        bail!("give --recipe FILE.json or at least one --source");
    }
    let mut steps = Vec::new();
    if !arguments.select.is_empty() {
        steps.push(Step::Select {
            columns: arguments.select.clone(),
        });
    }
    if !arguments.drop.is_empty() {
        steps.push(Step::Drop {
            columns: arguments.drop.clone(),
        });
    }
    if !arguments.rename.is_empty() {
        let mut columns = std::collections::BTreeMap::new();
        for pair in &arguments.rename {
            let (from, to) = pair
                .split_once('=')
                .with_context(|| format!("--rename {pair:?}: write OLD=NEW"))?;
            columns.insert(from.to_string(), to.to_string());
        }
        steps.push(Step::Rename { columns });
    }
    if let Some(expression) = &arguments.filter {
        steps.push(Step::Filter {
            expression: expression.clone(),
        });
    }
    if arguments.sample_n.is_some() || arguments.sample_fraction.is_some() {
        steps.push(Step::Sample {
            n: arguments.sample_n,
            fraction: arguments.sample_fraction,
            seed: arguments.seed,
        });
    }
    if arguments.shuffle {
        steps.push(Step::Shuffle {
            seed: arguments.seed,
        });
    }
    Ok(Recipe {
        source: Source {
            paths: arguments.source.clone(),
            format: None,
            text_unit: Default::default(),
        },
        steps,
        format: arguments.format.into(),
        output: if arguments.parquet {
            OutputFormat::Parquet
        } else {
            OutputFormat::Jsonl
        },
        split: None,
        tokenizer: None,
    })
}

fn prepare(arguments: &PrepareArgs) -> Result<()> {
    let mut recipe = match &arguments.recipe {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Recipe::from_json(&text).with_context(|| path.display().to_string())?
        }
        None => recipe_from_flags(arguments)?,
    };
    let selection = lathe_provider_lathe::HubSelection {
        split: arguments.hf_split.clone(),
        config: arguments.hf_config.clone(),
    };
    lathe_provider_lathe::resolve_hub_sources(
        &mut recipe,
        &selection,
        &lathe_hub::Hub::from_env(),
    )?;
    let profile = ModelProfile::named(&arguments.model_profile)?;
    let base_dir = PathBuf::from(".");
    let files = lathe_dataset::source::resolve(&recipe.source, &base_dir)?;
    let total = lathe_dataset::source::known_row_count(&files)?;
    let run_into = |output_dir: PathBuf| {
        with_progress(total, |progress| {
            let options = RunOptions {
                base_dir: base_dir.clone(),
                output_dir,
                profile,
                progress: Some(progress),
            };
            lathe_dataset::run(&recipe, &options)
        })
    };
    let (fingerprint, outcome) = match &arguments.output {
        // The version only names the default folder: with -o, hashing the source overlaps the
        // run, and no project cache is kept for a folder that may be anywhere.
        Some(output_dir) => std::thread::scope(|scope| {
            let fingerprint = scope.spawn(|| {
                lathe_dataset::fingerprint(&recipe, &base_dir, &mut HashCache::in_memory())
            });
            let outcome = run_into(output_dir.clone());
            let fingerprint = fingerprint
                .join()
                .map_err(|_| anyhow::anyhow!("hashing the source panicked"))?;
            anyhow::Ok((fingerprint?, outcome?))
        })?,
        None => {
            let mut cache = HashCache::for_project(&base_dir);
            let fingerprint = lathe_dataset::fingerprint(&recipe, &base_dir, &mut cache)?;
            cache.save()?;
            let output_dir = Path::new(".lathe")
                .join("datasets")
                .join(&fingerprint.version);
            let outcome = run_into(output_dir)?;
            (fingerprint, outcome)
        }
    };
    for step in &outcome.steps {
        let truncated = if step.truncated > 0 {
            format!(" ({} truncated)", step.truncated)
        } else {
            String::new()
        };
        line(format_args!(
            "{}: {} → {} rows{truncated}",
            step.step, step.rows_in, step.rows_out
        ));
    }
    for file in &outcome.files {
        line(format_args!(
            "{}: {} rows, {} characters, {} tokens, sha256 {}",
            file.path.display(),
            file.rows,
            file.characters,
            file.tokens,
            file.sha256
        ));
    }
    line(format_args!(
        "version {}  sha256 {}",
        fingerprint.version, outcome.sha256
    ));
    Ok(())
}

/// Runs `work` while a progress bar shows rows and rows/s from the counter it is given.
fn with_progress<T, E>(
    total: Option<u64>,
    work: impl FnOnce(RowCounter) -> Result<T, E> + Send,
) -> Result<T>
where
    T: Send,
    E: Into<anyhow::Error> + Send,
{
    let counter = RowCounter::new();
    let bar = match total {
        Some(total) => indicatif::ProgressBar::new(total),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if total.is_some() {
        "{bar:30} {pos}/{len} rows  {per_sec}  {elapsed}"
    } else {
        "{spinner} {pos} rows  {per_sec}  {elapsed}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    let worker_counter = counter.clone();
    let result = lathe_dataset::progress::watch(
        &counter,
        Duration::from_millis(100),
        move || work(worker_counter),
        |snapshot| bar.set_position(snapshot.rows),
    );
    bar.finish_and_clear();
    match result {
        Ok(result) => result.map_err(Into::into),
        Err(_) => bail!("the data pipeline panicked"),
    }
}

#[cfg(test)]
mod tests {
    use lathe_dataset::inspect::{ColumnStats, Preview, Stats};

    use super::{cell, preview_lines, stats_lines};

    #[test]
    fn cells_are_one_line_and_cut_to_width() {
        let cases = [
            ("short", 10, "short"),
            ("two\nlines", 10, "two⏎lines"),
            ("tab\there", 10, "tab here"),
            ("a longer sentence", 8, "a longe…"),
            ("héllo wörld", 6, "héllo…"),
        ];
        for (text, width, expected) in cases {
            assert_eq!(cell(text, width), expected, "{text:?}");
        }
    }

    #[test]
    fn previews_are_aligned_tables() {
        let preview = Preview {
            columns: vec!["prompt".into(), "completion".into()],
            rows: vec![
                vec![
                    "#Person1#: Hi.\n#Person2#: Hello.".into(),
                    "They greet.".into(),
                ],
                vec!["Q".into(), "A".into()],
            ],
        };
        assert_eq!(
            preview_lines(&preview, 12),
            [
                "prompt       │ completion",
                "─────────────┼────────────",
                "#Person1#: … │ They greet.",
                "Q            │ A",
                "(2 row(s) shown)",
            ]
        );
    }

    #[test]
    fn histograms_scale_to_the_fullest_bucket() {
        let stats = Stats {
            rows: 5,
            columns: vec![ColumnStats {
                name: "summary".into(),
                values: 5,
                nulls: 0,
                min: 8,
                max: 15,
                mean: 10.4,
                total_characters: 52,
                estimated_tokens: 9,
                histogram: vec![(8, 12, 4), (12, 16, 1)],
            }],
        };
        assert_eq!(
            stats_lines(&stats),
            [
                String::new(),
                "summary: 5 values, 0 null; characters min 8 / mean 10.4 / max 15; about 9 tokens"
                    .to_string(),
                format!("   8–11 │{} 4", "█".repeat(40)),
                format!("  12–15 │{} 1", "█".repeat(10)),
            ]
        );
    }
}
