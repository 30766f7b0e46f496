//! Large intermediate tables spilled to Arrow IPC files in a temporary folder
//! and scanned lazily: a report run over 10 M cases does not hold the 50 M
//! rows of its deadline table in memory, only the columns a query reads.

use std::path::PathBuf;

use anyhow::{Context, Result};
use polars::prelude::*;

/// A table written part by part into a temporary folder (removed on drop).
pub struct Spill {
    dir: tempfile::TempDir,
    parts: Vec<PathBuf>,
}

impl Spill {
    /// A new, empty spill folder in the system's temporary folder, named
    /// after this process (`jiucuo-<pid>-…`); the folders a killed run left
    /// behind are removed first ([`remove_stale`]).
    pub fn new() -> Result<Spill> {
        remove_stale(&std::env::temp_dir());
        let prefix = format!("{PREFIX}{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        // Case ids and units: readable by the running user only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir()
            .context("无法在临时文件夹中建立中间文件夹：请检查 TMPDIR 所指文件夹是否存在、可写")?;
        Ok(Spill { dir, parts: vec![] })
    }

    /// Append a part (every part has the same columns).
    pub fn write(&mut self, mut part: DataFrame) -> Result<()> {
        let path = self
            .dir
            .path()
            .join(format!("part-{:05}.arrow", self.parts.len()));
        let mut write = || -> Result<()> {
            let file = std::fs::File::create(&path)?;
            let mut out = std::io::BufWriter::new(file);
            IpcWriter::new(&mut out)
                .with_compression(Some(IpcCompression::LZ4))
                .finish(&mut part)?;
            std::io::Write::flush(&mut out)?;
            Ok(())
        };
        write().with_context(|| {
            format!(
                "无法写入中间文件 {}：请检查临时文件夹所在磁盘的空间",
                path.display()
            )
        })?;
        self.parts.push(path);
        Ok(())
    }

    /// Append `df` as parts of at most `rows` rows. Writing a frame whose
    /// columns are chunked differently first copies every column into one
    /// chunk (the whole ledger: +2.7 GB at 10 M cases); a slice copies only
    /// its own rows.
    pub fn write_in_parts(&mut self, df: &DataFrame, rows: usize) -> Result<()> {
        let rows = rows.max(1);
        let mut start = 0;
        while start < df.height() {
            self.write(df.slice(start as i64, rows))?;
            start += rows;
        }
        Ok(())
    }

    /// The parts, stacked in order, as a lazy scan.
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        if self.parts.is_empty() {
            polars_bail!(NoData: "spilled table has no part");
        }
        let paths: Vec<PlRefPath> = self
            .parts
            .iter()
            .map(|p| PlRefPath::new(p.to_string_lossy().as_ref()))
            .collect();
        LazyFrame::scan_ipc_sources(
            ScanSources::Paths(paths.into_iter().collect()),
            IpcScanOptions::default(),
            UnifiedScanArgs::default(),
        )
    }
}

/// The name every spill folder starts with.
const PREFIX: &str = "jiucuo-";

/// Remove the spill folders of this user whose process is gone: a run
/// killed with SIGKILL cannot remove its own, and they hold case data.
/// Only folders named `jiucuo-<pid>-…`, owned by the running user, whose
/// process no longer exists (`/proc/<pid>`); anything that cannot be read
/// is left alone.
pub fn remove_stale(dir: &std::path::Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let Some(pid) = name
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
            if meta.is_dir() && !alive && Some(meta.uid()) == me {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_of_dead_runs_are_removed_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join("jiucuo-4000000000-abc"); // no such pid
        let alive = tmp
            .path()
            .join(format!("jiucuo-{}-abc", std::process::id()));
        let other = tmp.path().join("jiucuo-notapid");
        let file = tmp.path().join("jiucuo-4000000001-file");
        for d in [&dead, &alive, &other] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("part-00000.arrow"), b"x").unwrap();
        }
        std::fs::write(&file, b"x").unwrap();
        remove_stale(tmp.path());
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists() && file.exists());
    }

    #[test]
    fn parts_scan_back_in_order_private_to_the_user_and_the_folder_goes_on_drop() {
        let cat = crate::schema::categorical();
        let part = |ids: &[&str], units: &[&str]| {
            df!("case_id" => ids, "unit" => units, "days" => vec![1i64; ids.len()])
                .unwrap()
                .lazy()
                .with_column(col("unit").cast(cat.clone()))
                .collect()
                .unwrap()
        };
        let mut spill = Spill::new().unwrap();
        let dir = spill.dir.path().to_path_buf();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only the running user reads the spill");
        }
        spill.write(part(&["A", "B"], &["乙局", "甲局"])).unwrap();
        spill.write(part(&["C"], &["甲局"])).unwrap();
        let back = spill.scan().unwrap().collect().unwrap();
        assert!(matches!(
            back.column("unit").unwrap().dtype(),
            DataType::Categorical(..)
        ));
        let text = crate::schema::as_text(&back).collect().unwrap();
        let texts = |name: &str| -> Vec<String> {
            let column = text.column(name).unwrap().str().unwrap().clone();
            column.iter().flatten().map(String::from).collect()
        };
        let (ids, units) = (texts("case_id"), texts("unit"));
        assert_eq!(ids, ["A", "B", "C"]);
        assert_eq!(units, ["乙局", "甲局", "甲局"]);
        // A projection reads one column.
        let one = spill
            .scan()
            .unwrap()
            .select([col("days")])
            .collect()
            .unwrap();
        assert_eq!(one.width(), 1);
        assert_eq!(one.height(), 3);
        assert!(dir.exists());
        drop(spill);
        assert!(!dir.exists());
    }

    #[test]
    fn a_frame_written_in_parts_scans_back_whole_and_in_order() {
        // columns chunked differently, as the ledger's are
        let mut ids = Series::new("case_id".into(), ["A", "B", "C"]);
        ids.append(&Series::new("case_id".into(), ["D", "E"]))
            .unwrap();
        let mut days = Series::new("days".into(), [1i32, 2]);
        days.append(&Series::new("days".into(), [3i32, 4, 5]))
            .unwrap();
        let df = DataFrame::new_infer_height(vec![ids.into(), days.into()]).unwrap();
        let mut spill = Spill::new().unwrap();
        spill.write_in_parts(&df, 2).unwrap();
        assert_eq!(spill.parts.len(), 3);
        let back = spill.scan().unwrap().collect().unwrap();
        assert!(back.equals(&df), "{back}");
    }

    #[test]
    fn an_empty_spill_is_an_error_not_an_empty_table() {
        assert!(Spill::new().unwrap().scan().is_err());
    }
}
