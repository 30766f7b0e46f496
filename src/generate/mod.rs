//! `jiucuo generate`: a realistic synthetic ledger (with roster and volume
//! files) carrying planted patterns, and a truth file listing what was planted.
//!
//! The same rows and seed give the same bytes. Cases are emitted in filing
//! order and written as they are made, so a million rows need little memory.
//! The world (`world.rs`) is drawn first, then the planted cases
//! (`plants.rs`), the background's filing dates and the dirty rows; then
//! every case is drawn, formatted (`cells.rs`) and written (`emit.rs`).

mod cases;
mod cells;
mod dirt;
mod emit;
mod plants;
mod truth;
mod world;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use truth::{
    PlantedDeadline, PlantedFinding, PlantedHotspot, PlantedNotRepeat, PlantedRepeat, Truth,
};
pub use world::{as_of, MIN_ROWS};

/// Everything a generation run produces.
pub struct Dataset {
    pub ledger_csv: String,
    pub roster_csv: String,
    pub volume_csv: String,
    pub truth: Truth,
}

/// Generate a dataset of `rows` cases, with every planted pattern.
pub fn generate(rows: usize, seed: u64, dirty: bool) -> Result<Dataset> {
    generate_with(rows, seed, dirty, true)
}

/// Generate a dataset of `rows` cases; `plants` = false plants nothing (no
/// repeats, deadline or risk-point patterns: base rates only, for measuring
/// false alarms).
pub fn generate_with(rows: usize, seed: u64, dirty: bool, plants: bool) -> Result<Dataset> {
    if rows < MIN_ROWS {
        bail!("--rows 至少为 {MIN_ROWS}（埋设的规律需要足够的案件）");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let world = world::World::new(&mut rng, rows);
    // Planted cases first, so the background fills up to `rows`.
    let planted = plants::Planted::new(&mut rng, &world, rows, dirty, plants);
    if planted.cases.len() + 50 > rows {
        bail!(
            "--rows {rows} 太少：埋设案件已有 {} 件",
            planted.cases.len()
        );
    }
    let background = world.background_dates(&mut rng, rows - planted.cases.len());
    let dirt = dirt::DirtPlan::new(&mut rng, dirty, background.len());
    let mut truth = Truth {
        seed,
        rows,
        dirty,
        plants,
        as_of: as_of().to_string(),
        unused_clause_items: world::UNUSED_ITEMS
            .iter()
            .map(|(a, i)| format!("{a}.{i}"))
            .collect(),
        ..Truth::default()
    };
    let mut ledger = emit::Ledger::new(rows);
    ledger.emit_all(&mut rng, &world, &planted, &background, &dirt, &mut truth);
    truth
        .findings
        .sort_by(|a, b| (a.row, &a.code).cmp(&(b.row, &b.code)));
    planted.record(&world, &ledger.member_ids, &mut truth);
    Ok(Dataset {
        ledger_csv: ledger.out,
        roster_csv: world.roster_csv(),
        volume_csv: world.volume_csv(),
        truth,
    })
}

/// Generate and write ledger.csv, roster.csv, volume.csv and truth.json into `dir`.
pub fn write_dataset(
    dir: &Path,
    rows: usize,
    seed: u64,
    dirty: bool,
    plants: bool,
) -> Result<Vec<PathBuf>> {
    let data = generate_with(rows, seed, dirty, plants)?;
    let files = [
        ("ledger.csv", data.ledger_csv.into_bytes()),
        ("roster.csv", data.roster_csv.into_bytes()),
        ("volume.csv", data.volume_csv.into_bytes()),
        ("truth.json", serde_json::to_vec_pretty(&data.truth)?),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
