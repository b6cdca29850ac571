//! Keeping the buffers a training step frees for the next step to reuse.
//!
//! Every step allocates and frees the same large buffers (logits, activations, gradients).
//! glibc hands allocations above its mmap threshold out as fresh mappings and unmaps them on
//! free, so each step page-faults and zeroes them anew, and every unmap interrupts the other
//! cores to flush their TLBs. `mallopt` cannot raise the threshold past 32 MiB, and the largest
//! buffers are bigger (SmolLM2's logits at 2,048 tokens: 400 MB), so the setting goes through
//! glibc's tunables, which are read only when a process starts: a training process restarts
//! itself once with them set. Measured on a SmolLM2 full fine-tuning run here: 15.5 s of system
//! time with glibc's defaults, 15.0 s with `mallopt`'s 32 MiB, 9.8 s with these
//! (bench/train/results/NOTES.md).

use std::ffi::OsString;

/// glibc's tunables environment variable.
const TUNABLES: &str = "GLIBC_TUNABLES";

/// Serve allocations below 2 GiB from the heap, and never give its free top back.
const SETTINGS: &str =
    "glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184";

/// The `GLIBC_TUNABLES` value a training process should run with, or `None` when the current
/// one already has it (or sets the mmap threshold itself, which is respected).
pub fn tunables_to_set(current: Option<OsString>) -> Option<OsString> {
    let current = current.unwrap_or_default();
    if current
        .to_string_lossy()
        .contains("glibc.malloc.mmap_threshold")
    {
        return None;
    }
    let mut value = current.clone();
    if !value.is_empty() {
        value.push(":");
    }
    value.push(SETTINGS);
    Some(value)
}

/// Restarts this process (same program and arguments) with the tunables set, once; returns only
/// if they are already set, or with the error when the restart fails. On systems without glibc
/// this does nothing.
pub fn restart_with_reused_buffers() -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Some(value) = tunables_to_set(std::env::var_os(TUNABLES)) {
        use std::os::unix::process::CommandExt;
        let program = std::env::current_exe()?;
        return Err(std::process::Command::new(program)
            .args(std::env::args_os().skip(1))
            .env(TUNABLES, value)
            .exec());
    }
    Ok(())
}
