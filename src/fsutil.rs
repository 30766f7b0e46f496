//! Atomic output files and safe file names.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed and synced, then renamed over the target. A run killed mid-write
/// leaves the old file or the new one, never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .with_context(|| format!("写入 {} 失败（磁盘已满？）", path.display()))?;
    file.commit()
}

/// An output file written piece by piece into a temporary file beside it and
/// renamed over the target by [`AtomicFile::commit`]; dropped uncommitted
/// (an error on the way), it leaves the target as it was.
pub struct AtomicFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    pub fn create(path: &Path) -> anyhow::Result<AtomicFile> {
        use anyhow::Context;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("无法创建输出文件夹 {}", dir.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix(".jiucuo-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| {
                format!("无法在 {} 中写入（文件夹只读或磁盘已满？）", dir.display())
            })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// Another handle on the temporary file (for writers that want to own
    /// one); what it writes is committed with this file.
    pub fn try_clone_file(&self) -> std::io::Result<std::fs::File> {
        self.tmp.as_file().try_clone()
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flush to disk and rename over the target.
    pub fn commit(self) -> anyhow::Result<()> {
        use anyhow::Context;
        let AtomicFile { path, mut tmp } = self;
        tmp.flush()
            .and_then(|_| tmp.as_file().sync_all())
            .with_context(|| format!("写入 {} 失败（磁盘已满？）", path.display()))?;
        // Temporary files are private (0600); outputs are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("无法保存 {}", path.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

/// Check, before any work, that `dir` can be created and written to, so a
/// read-only or full output folder fails at once instead of after the analysis.
pub fn ensure_writable_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("无法创建输出文件夹 {}", dir.display()))?;
    let probe = tempfile::Builder::new()
        .prefix(".jiucuo-probe-")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "输出文件夹 {} 不可写（只读、无权限或磁盘已满？），请换一个文件夹",
                dir.display()
            )
        })?;
    drop(probe);
    Ok(())
}

/// A file-name-safe version of untrusted text (unit names): path separators,
/// reserved characters, control characters, leading dots and Windows device
/// names are replaced; the result is never empty and at most 80 characters.
pub fn safe_file_stem(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' => '_',
            c => c,
        })
        .take(80)
        .collect();
    out = out
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .to_string();
    let upper = out.to_ascii_uppercase();
    let base = upper.split('.').next().unwrap_or("");
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&base)
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        out = format!("_{out}");
    }
    if out.is_empty() {
        out = "_".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_file_names() {
        assert_eq!(safe_file_stem("../../etc/x"), "_.._etc_x");
        assert_eq!(safe_file_stem("CON"), "_CON");
        assert_eq!(safe_file_stem("com1.txt"), "_com1.txt");
        assert_eq!(safe_file_stem("区/市场监管局"), "区_市场监管局");
        assert_eq!(safe_file_stem(""), "_");
        assert_eq!(safe_file_stem("..."), "_");
        assert_eq!(safe_file_stem("a\u{202E}b\n"), "a_b_");
        assert!(!safe_file_stem(&"长".repeat(500)).is_empty());
        assert_eq!(safe_file_stem(&"长".repeat(500)).chars().count(), 80);
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }
}
