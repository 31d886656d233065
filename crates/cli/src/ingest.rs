//! `ddhub ingest`: the upload path of the API, run in place with a progress bar.

use crate::{Unprocessable, usage};
use clap::Args;
use ddhub_app::config::Config;
use ddhub_app::services::catalog::{self, MediaPaths};
use ddhub_app::services::uploads::{ProblemView, UploadView};
use ddhub_domain::WholesalerId;
use ddhub_store::uploads::{self, NewUpload, UploadMode, UploadState};
use ddhub_store::{Store, StoreError, parties};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// The wholesaler's id (`ddhub wholesaler list`).
    #[arg(long)]
    wholesaler: i64,
    /// The sheet: XLSX or XLS (Excel 97-2003), CSV or TSV (UTF-8, UTF-8 with BOM or CP949), or JSON.
    file: PathBuf,
    /// A ZIP of the photos the sheet names.
    #[arg(long)]
    photos: Option<PathBuf>,
    /// merge (default) leaves styles missing from the sheet alone; replace archives them.
    #[arg(long, default_value = "merge")]
    mode: String,
    /// Validate and report without writing.
    #[arg(long)]
    dry_run: bool,
    /// Force a text encoding (cp949, utf-8); detected when absent.
    #[arg(long)]
    encoding: Option<String>,
    /// The XLSX sheet to read; the first when absent.
    #[arg(long)]
    sheet: Option<String>,
    /// Print one JSON object (the API's upload view with every problem).
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, store: &Store, args: IngestArgs) -> anyhow::Result<()> {
    let mode: UploadMode = args.mode.parse().map_err(usage)?;
    let wholesaler = WholesalerId(args.wholesaler);
    match parties::get_wholesaler(store, wholesaler).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(usage(format!("no wholesaler with id {}", args.wholesaler)));
        }
        Err(e) => return Err(e.into()),
    }
    let meta = std::fs::metadata(&args.file)
        .map_err(|e| usage(format!("{}: {e}", args.file.display())))?;
    if !meta.is_file() {
        return Err(usage(format!("{} is not a file", args.file.display())));
    }
    if meta.len() > config.upload_sheet_limit_bytes {
        return Err(usage(format!(
            "{} is larger than the {} MB a sheet may be",
            args.file.display(),
            config.upload_sheet_limit_bytes / (1024 * 1024)
        )));
    }
    let photos = match &args.photos {
        Some(p) => {
            let m = std::fs::metadata(p).map_err(|e| usage(format!("{}: {e}", p.display())))?;
            if m.len() > config.upload_photos_limit_bytes {
                return Err(usage(format!(
                    "{} is larger than the photo ZIP limit",
                    p.display()
                )));
            }
            // Read in place: a 2 GB bundle is not copied. The path is absolute, so it resolves
            // the same from the data dir.
            Some(std::fs::canonicalize(p)?.display().to_string())
        }
        None => None,
    };
    let paths = MediaPaths::new(&config.data_dir);
    // The sheet is kept with the upload, so its error report can be downloaded later.
    let (dir, rel) = paths.new_upload_dir()?;
    std::fs::copy(&args.file, dir.join("sheet"))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    let upload = uploads::create(
        store,
        NewUpload {
            wholesaler,
            mode,
            dry_run: args.dry_run,
            file_name,
            file_path: format!("{rel}/sheet"),
            photos_path: photos,
            encoding: args.encoding.clone(),
            sheet_name: args.sheet.clone(),
        },
        false,
    )
    .await?;

    let bar = (!args.json && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(100);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg:10} [{bar:40}] {pos:>3}%")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |state: UploadState, pct: i32| {
        if let Some(b) = &bar {
            b.set_message(state.as_str());
            b.set_position(u64::try_from(pct).unwrap_or(0));
        }
    };
    let done = catalog::process(store, &paths, upload.id, &progress).await?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let (_, problems) = uploads::problems(store, upload.id, None, 0, u64::MAX / 2).await?;
    let failed = done.state == UploadState::Failed;
    let view = UploadView::from_upload(
        done,
        Some(problems.into_iter().map(ProblemView::from).collect()),
    );
    if args.json {
        println!("{}", serde_json::to_string(&view)?);
    } else {
        print_summary(&view);
    }
    if failed {
        let why = view
            .failure
            .as_ref()
            .map(|f| f.message_ko.clone())
            .unwrap_or_default();
        if !args.json {
            eprintln!("ddhub: 파일을 읽을 수 없습니다: {why}");
        }
        return Err(Unprocessable(why).into());
    }
    Ok(())
}

fn print_summary(v: &UploadView) {
    println!(
        "upload {} ({}{})",
        v.upload_id,
        v.state,
        if v.dry_run { ", dry run" } else { "" }
    );
    if let Some(f) = &v.failure {
        println!("  {} — {}", f.message_ko, f.message_en);
        return;
    }
    let rows: [(&str, u64); 12] = [
        ("rows", v.rows),
        ("styles created", v.styles_created),
        ("styles updated", v.styles_updated),
        ("styles unchanged", v.styles_unchanged),
        ("styles archived", v.styles_archived),
        ("SKUs", v.skus),
        ("errors", v.errors),
        ("warnings", v.warnings),
        ("photos matched", v.photos_matched),
        ("photos missing", v.photos_missing),
        ("photos unmatched", v.photos_unmatched),
        ("live before resume", v.styles_live_early),
    ];
    for (k, n) in rows
        .iter()
        .filter(|(k, n)| *k != "live before resume" || *n > 0)
    {
        println!("  {k:<18} {n:>8}");
    }
    let problems = v.problems.as_deref().unwrap_or_default();
    if !problems.is_empty() {
        println!(
            "\n  {:>6}  {:<8}  {:<14}  message",
            "row", "severity", "column"
        );
        for p in problems.iter().take(50) {
            println!(
                "  {:>6}  {:<8}  {:<14}  {}",
                p.row, p.severity, p.column, p.message_ko
            );
        }
        if problems.len() > 50 {
            println!("  … {} more (use --json for all)", problems.len() - 50);
        }
    }
}
