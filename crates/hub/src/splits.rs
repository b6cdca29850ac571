//! Which files of a dataset repository hold a split, following the `datasets` library's
//! conventions: a folder named after the split, or a file named `SPLIT.ext` / `SPLIT-*.ext`.

const DATA_EXTENSIONS: [&str; 6] = ["parquet", "jsonl", "json", "csv", "tsv", "txt"];

fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?;
    let (_, extension) = name.rsplit_once('.')?;
    DATA_EXTENSIONS.contains(&extension).then_some(extension)
}

fn names_split(path: &str, split: &str) -> bool {
    let mut components: Vec<&str> = path.split('/').collect();
    let file = components.pop().unwrap_or_default();
    if components.contains(&split) {
        return true;
    }
    let stem = file.split('.').next().unwrap_or_default();
    stem == split
        || stem.starts_with(&format!("{split}-"))
        || stem.starts_with(&format!("{split}_"))
}

/// Files of `files` (repository-relative paths) that hold `split`, Parquet preferred, sorted.
pub fn split_files(files: &[String], config: Option<&str>, split: &str) -> Vec<String> {
    let data: Vec<&String> = files
        .iter()
        .filter(|path| {
            extension(path).is_some() && !path.split('/').any(|part| part.starts_with('.'))
        })
        .collect();
    let in_config: Vec<&String> = match config {
        Some(config) => {
            let prefix = format!("{config}/");
            let scoped: Vec<&String> = data
                .iter()
                .copied()
                .filter(|path| path.starts_with(&prefix))
                .collect();
            if scoped.is_empty() && config == "default" {
                data
            } else {
                scoped
            }
        }
        None => data,
    };
    let matched: Vec<&String> = in_config
        .into_iter()
        .filter(|path| names_split(path, split))
        .collect();
    let parquet: Vec<&String> = matched
        .iter()
        .copied()
        .filter(|path| extension(path) == Some("parquet"))
        .collect();
    let mut chosen: Vec<String> = if parquet.is_empty() { matched } else { parquet }
        .into_iter()
        .cloned()
        .collect();
    chosen.sort();
    chosen
}
