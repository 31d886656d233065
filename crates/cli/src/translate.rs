//! `ddhub translate …`, `ddhub glossary …` and `ddhub reindex`.

use crate::usage;
use clap::Subcommand;
use ddhub_app::config::Config;
use ddhub_domain::Locale;
use ddhub_translate::Glossary;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum TranslateCmd {
    /// Translate one Korean title.
    Title {
        text: String,
        #[arg(long)]
        locale: String,
        /// Print {title, review_state, unknown_terms, tags}.
        #[arg(long)]
        json: bool,
    },
    /// Score the glossary translator on `korean<TAB>reference` lines (chrF, exact match, Hangul
    /// leak, unknown-term rate).
    Eval {
        file: PathBuf,
        #[arg(long)]
        locale: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum GlossaryCmd {
    /// Print the glossary in force (shipped terms with the operator's overrides merged over
    /// them) as CSV: `ko,role,code,en,ja,zh-CN,zh-TW,vi,th`, the import format.
    Export {
        /// Only the operator's overrides.
        #[arg(long)]
        overrides_only: bool,
    },
    /// Add or override terms from a CSV file (the export format; empty rendering cells keep a
    /// shipped term's rendering). Every row is checked first: one bad row imports nothing.
    /// Styles with automatic translations are re-translated by jobs afterwards.
    Import {
        file: PathBuf,
        /// Make the file the whole set of overrides (remove the ones it does not list).
        #[arg(long)]
        replace: bool,
    },
}

fn locale(tag: &str) -> anyhow::Result<Locale> {
    Locale::from_tag(tag).ok_or_else(|| usage(format!("unknown locale {tag:?}")))
}

pub fn translate(cmd: TranslateCmd) -> anyhow::Result<()> {
    let glossary = Glossary::builtin()?;
    match cmd {
        TranslateCmd::Title {
            text,
            locale: l,
            json,
        } => {
            let t = ddhub_translate::translate_title(&glossary, &text, locale(&l)?);
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "title": t.title,
                        "review_state": t.review_state,
                        "unknown_terms": t.unknown_terms,
                        "tags": t.tags,
                    })
                );
            } else {
                println!("{}", t.title);
            }
        }
        TranslateCmd::Eval {
            file,
            locale: l,
            json,
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let locale = locale(&l)?;
            // A header `korean<TAB>en<TAB>ja…` names the reference column per locale (the
            // shipped dev set has both); otherwise the second column is the reference.
            let mut column = 0;
            if let Some(header) = text.lines().next().filter(|h| h.starts_with("korean\t")) {
                let names: Vec<&str> = header.split('\t').skip(1).map(str::trim).collect();
                if names.len() > 1 {
                    column = names
                        .iter()
                        .position(|h| *h == locale.tag())
                        .ok_or_else(|| {
                            usage(format!(
                                "{}: the header has no {} column",
                                file.display(),
                                locale.tag()
                            ))
                        })?;
                }
            }
            let mut lines = Vec::new();
            for (n, line) in text.lines().enumerate() {
                // Blank lines, comments and a `korean<TAB>…` header line are not data.
                if line.trim().is_empty()
                    || line.starts_with('#')
                    || (n == 0 && line.starts_with("korean\t"))
                {
                    continue;
                }
                let Some((ko, reference)) = line.split_once('\t') else {
                    return Err(usage(format!(
                        "line {}: expected korean<TAB>reference",
                        n + 1
                    )));
                };
                lines.push(ddhub_translate::EvalLine {
                    korean: ko.to_string(),
                    reference: reference.split('\t').nth(column).unwrap_or("").to_string(),
                });
            }
            let r = ddhub_translate::evaluate(&glossary, &lines, locale);
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "chrf": r.chrf, "exact_match": r.exact_match, "hangul_leak": r.hangul_leak,
                        "unknown_term_rate": r.unknown_term_rate, "lines": r.lines,
                    })
                );
            } else {
                println!(
                    "chrF {:.1}, exact match {:.1}%, Hangul leak {:.1}%, unknown terms {:.1}% over {} lines",
                    r.chrf,
                    r.exact_match * 100.0,
                    r.hangul_leak * 100.0,
                    r.unknown_term_rate * 100.0,
                    r.lines
                );
            }
        }
    }
    Ok(())
}

pub async fn glossary(cmd: GlossaryCmd, config: &Config) -> anyhow::Result<()> {
    let shipped = Glossary::builtin()?;
    std::fs::create_dir_all(&config.data_dir)?;
    let store = ddhub_app::runtime::open_store(config).await?;
    store.migrate().await?;
    match cmd {
        GlossaryCmd::Export { overrides_only } => {
            let overrides = ddhub_app::services::glossary::override_terms(&store).await?;
            if overrides_only {
                print!("{}", ddhub_translate::terms_to_csv(overrides)?);
            } else {
                let g = shipped.with_overrides(overrides)?;
                print!("{}", ddhub_translate::glossary_to_csv(&g)?);
            }
        }
        GlossaryCmd::Import { file, replace } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            match ddhub_app::services::glossary::import(&store, &shipped, &text, replace).await {
                Ok(o) => {
                    println!(
                        "imported {} rows: glossary version {} (was {}), revision {}",
                        o.rows, o.version, o.previous_version, o.revision
                    );
                    if o.version == o.previous_version {
                        println!("the glossary did not change");
                    } else {
                        println!("styles with automatic translations will be re-translated");
                    }
                }
                Err(ddhub_app::services::glossary::GlossaryAdminError::Import(e)) => {
                    return Err(usage(format!("{}: {e}", file.display())));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Rebuilds the search index from the database. The embedded index has one writer: stop
/// `ddhub serve` first (it also rebuilds an empty index by itself on start).
pub async fn reindex(config: &Config) -> anyhow::Result<()> {
    let store = ddhub_app::runtime::open_store(config).await?;
    store.migrate().await?;
    let index = ddhub_app::services::listing::open_index(config)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open the search index (is ddhub serve running on this data dir?): {e:#}"
            )
        })?;
    let listing = ddhub_app::services::listing::Listing::new(index, config.media_base_url())?
        .with_provider(config.translate.clone());
    let bar = std::io::stderr().is_terminal().then(|| {
        indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} styles ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        )
    });
    let start = std::time::Instant::now();
    // Without a terminal (logs, CI) a line every tenth of the way instead of a bar.
    let next_line = std::sync::atomic::AtomicU64::new(0);
    let n = listing
        .reindex(&store, &|done, total| {
            if let Some(b) = &bar {
                b.set_length(total);
                b.set_position(done);
            } else if done >= next_line.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!(
                    "reindex: {done}/{total} styles, {:.1} s",
                    start.elapsed().as_secs_f64()
                );
                next_line.store(
                    done + (total / 10).max(1),
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
        })
        .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    println!(
        "reindexed {n} styles in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
