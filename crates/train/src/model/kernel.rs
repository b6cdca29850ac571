//! What the fused CPU operations share: borrowing f32 data out of candle storage without copying
//! it, handing results back without copying them, and splitting row-wise work over the cores.
//!
//! candle's own CPU elementwise and reduction kernels run on one thread and every composed op
//! allocates its output, so the fused ops work on slices directly and split rows with rayon.
//! Rows go to threads in fixed-size blocks and every row is computed by the same sequential
//! code whatever thread runs it, so results are bit-identical whatever the thread count.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, DType, Layout, Shape, Storage, Tensor};
use rayon::prelude::*;

/// Rows per parallel task: enough work per task to amortize scheduling, small enough to balance.
const ROWS_PER_TASK: usize = 16;

/// The f32 values of contiguous CPU storage, or an error naming the op.
pub fn storage_values<'a>(
    op: &str,
    storage: &'a CpuStorage,
    layout: &Layout,
) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("{op} expects f32 inputs, got {:?}", storage.dtype())
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} expects contiguous inputs")
    };
    Ok(&data[start..end])
}

/// Runs `work` on the f32 values of a CPU tensor, borrowed (made contiguous first if needed).
pub fn with_values<R>(
    op: &str,
    tensor: &Tensor,
    work: impl FnOnce(&[f32]) -> candle_core::Result<R>,
) -> candle_core::Result<R> {
    let tensor = tensor.contiguous()?;
    let (storage, layout) = tensor.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        candle_core::bail!("{op} runs on the CPU only")
    };
    work(storage_values(op, cpu, layout)?)
}

/// `Σ term(value)` over `values`, summed in 16 lanes (so the compiler can vectorize the loop)
/// and then across the lanes, in a fixed order.
#[inline(always)]
pub fn sum_in_lanes(values: &[f32], term: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0.0f32; 16];
    for chunk in values.chunks(16) {
        for (lane, value) in lanes.iter_mut().zip(chunk) {
            *lane += term(*value);
        }
    }
    lanes.iter().sum()
}

/// Wraps computed values as a CPU tensor without copying them.
pub fn tensor_from(values: Vec<f32>, shape: impl Into<Shape>) -> candle_core::Result<Tensor> {
    Tensor::from_vec(values, shape, &candle_core::Device::Cpu)
}

/// Whether the fused CPU kernels can take this tensor (the composed path serves the rest).
pub fn is_cpu_f32(tensor: &Tensor) -> bool {
    tensor.device().is_cpu() && tensor.dtype() == DType::F32
}

/// Fills `output` row by row (`width` values a row) on all cores: `work(row_index, row)`.
pub fn fill_rows(output: &mut [f32], width: usize, work: impl Fn(usize, &mut [f32]) + Sync) {
    let width = width.max(1);
    output
        .par_chunks_mut(width * ROWS_PER_TASK)
        .enumerate()
        .for_each(|(block, rows)| {
            for (offset, row) in rows.chunks_mut(width).enumerate() {
                work(block * ROWS_PER_TASK + offset, row);
            }
        });
}

/// Like [`fill_rows`] over two outputs of the same row count, filled together.
pub fn fill_row_pairs(
    first: &mut [f32],
    first_width: usize,
    second: &mut [f32],
    second_width: usize,
    work: impl Fn(usize, &mut [f32], &mut [f32]) + Sync,
) {
    let (first_width, second_width) = (first_width.max(1), second_width.max(1));
    first
        .par_chunks_mut(first_width * ROWS_PER_TASK)
        .zip(second.par_chunks_mut(second_width * ROWS_PER_TASK))
        .enumerate()
        .for_each(|(block, (first_rows, second_rows))| {
            for (offset, (first_row, second_row)) in first_rows
                .chunks_mut(first_width)
                .zip(second_rows.chunks_mut(second_width))
                .enumerate()
            {
                work(block * ROWS_PER_TASK + offset, first_row, second_row);
            }
        });
}

/// Sums `contribution(row_index, accumulator)` over all rows into one `width`-wide vector.
/// Partial sums are kept per fixed block of rows and added in block order, so the total does not
/// depend on how many threads ran.
pub fn sum_rows(
    rows: usize,
    width: usize,
    contribution: impl Fn(usize, &mut [f32]) + Sync,
) -> Vec<f32> {
    let blocks = rows.div_ceil(ROWS_PER_TASK);
    let partials: Vec<Vec<f32>> = (0..blocks)
        .into_par_iter()
        .map(|block| {
            let mut partial = vec![0.0f32; width];
            let end = ((block + 1) * ROWS_PER_TASK).min(rows);
            for row in block * ROWS_PER_TASK..end {
                contribution(row, &mut partial);
            }
            partial
        })
        .collect();
    let mut total = vec![0.0f32; width];
    for partial in &partials {
        for (sum, value) in total.iter_mut().zip(partial) {
            *sum += value;
        }
    }
    total
}

/// Applies `work(chunk_start, chunk)` to a slice in fixed-size chunks on all cores.
pub fn for_chunks(values: &mut [f32], work: impl Fn(usize, &mut [f32]) + Sync) {
    const CHUNK: usize = 1 << 14;
    values
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(index, chunk)| work(index * CHUNK, chunk));
}

/// `destination += source`, elementwise, on all cores.
pub fn add_into(destination: &mut [f32], source: &[f32]) {
    for_chunks(destination, |start, chunk| {
        for (value, addend) in chunk.iter_mut().zip(&source[start..]) {
            *value += addend;
        }
    });
}

/// `Σ x²` over a CPU f32 tensor, in f64, summed per fixed chunk and then in chunk order.
pub fn sum_of_squares(tensor: &Tensor) -> candle_core::Result<f64> {
    const CHUNK: usize = 1 << 14;
    with_values("sum-of-squares", tensor, |values| {
        let partials: Vec<f64> = values
            .par_chunks(CHUNK)
            .map(|chunk| chunk.iter().map(|&v| (v as f64) * (v as f64)).sum())
            .collect();
        Ok(partials.iter().sum())
    })
}
