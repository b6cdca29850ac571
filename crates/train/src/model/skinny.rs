//! Products with one side of at most [`SMALL`] — the rank of a LoRA adapter — computed
//! directly. Their arithmetic is small next to the matrix they stream, so the packing a tiled
//! kernel does first costs more than the product: measured on the SmolLM2 LoRA step, these shapes
//! ran at 8–27 GFLOP/s through `matrixmultiply` (bench/train/results/NOTES.md).
//!
//! Three loops serve every case: [`combine_few_terms`] (each output row a weighted sum of a few
//! rows; used when the inner size is small), [`combine_rows`] (the same for few output rows and
//! many terms) and [`dot_rows`] (each output value a dot product with a row of a row-major
//! matrix; used when the output's column count is small). A case whose big operand is laid out
//! the other way is computed transposed. Sums run in a fixed order: results do not depend on the thread count.

use rayon::prelude::*;

use super::matmul::View;

/// The largest side that counts as small.
pub const SMALL: usize = 16;

/// Values summed side by side in the loops meant to be vectorized.
const LANES: usize = 16;

/// Output rows per parallel task.
const ROWS_PER_TASK: usize = 32;

/// Output columns per parallel task when the output has few rows.
const COLUMNS_PER_TASK: usize = 256;

/// Adds `lhs · rhs` into `output` (row-major) when the inner size is small; returns whether it
/// did. (LoRA's update goes straight into its base projection's output this way.)
pub fn add_product(lhs: View, rhs: View, output: &mut [f32]) -> bool {
    if lhs.columns > SMALL {
        return false;
    }
    combine_few_terms(lhs, &rhs.to_row_major(), output);
    true
}

/// Computes `output = lhs · rhs` (row-major, zeroed) when one side is small and the big operand
/// is laid out for it; returns whether it did.
pub fn multiply(lhs: View, rhs: View, output: &mut [f32]) -> bool {
    // The output is zeroed, so adding the product computes it.
    if add_product(lhs, rhs, output) {
        return true;
    }
    let (rows, columns) = (lhs.rows, rhs.columns);
    if rows <= SMALL && rhs.is_row_major() {
        combine_rows(lhs, rhs, output);
    } else if columns <= SMALL && lhs.is_row_major() {
        dot_rows(lhs, &rhs.transposed().to_row_major(), output);
    } else if columns <= SMALL && lhs.is_column_major() {
        // outputᵀ = rhsᵀ · lhsᵀ, with lhsᵀ row-major.
        let mut transposed = vec![0.0; output.len()];
        combine_rows(rhs.transposed(), lhs.transposed(), &mut transposed);
        transpose_into(&transposed, columns, output);
    } else if rows <= SMALL && rhs.is_column_major() {
        // outputᵀ = rhsᵀ · lhsᵀ, with rhsᵀ row-major.
        let mut transposed = vec![0.0; output.len()];
        dot_rows(rhs.transposed(), &lhs.to_row_major(), &mut transposed);
        transpose_into(&transposed, columns, output);
    } else {
        return false;
    }
    true
}

/// `output [m, n] = weights [m, k] · matrix [k, n]` for few output rows, `matrix` row-major:
/// each output row is the sum of `matrix`'s rows weighted by a row of `weights`. Parallel over
/// column blocks, each summed in a buffer of its own.
fn combine_rows(weights: View, matrix: View, output: &mut [f32]) {
    let (rows, inner, columns) = (weights.rows, weights.columns, matrix.columns);
    let blocks: Vec<(usize, Vec<f32>)> = (0..columns)
        .into_par_iter()
        .step_by(COLUMNS_PER_TASK)
        .map(|first| {
            let span = first..(first + COLUMNS_PER_TASK).min(columns);
            let width = span.len();
            let mut sums = vec![0.0f32; rows * width];
            for position in 0..inner {
                let source = &matrix.row(position)[span.clone()];
                for (row, sum) in sums.chunks_mut(width).enumerate() {
                    add_scaled(sum, weights.at(row, position), source);
                }
            }
            (first, sums)
        })
        .collect();
    for (first, sums) in blocks {
        let width = sums.len() / rows;
        for (row, sum) in sums.chunks(width).enumerate() {
            output[row * columns + first..][..width].copy_from_slice(sum);
        }
    }
}

/// `output [m, n] += weights [m, k] · matrix [k, n]` for small `k`, `matrix` contiguous: each
/// output row computed a block of [`LANES`] columns at a time, summed in registers and added
/// once (a pass per inner position would read and write the row `k` times).
fn combine_few_terms(weights: View, matrix: &[f32], output: &mut [f32]) {
    let (inner, columns) = (weights.columns, output.len() / weights.rows);
    output
        .par_chunks_mut(ROWS_PER_TASK * columns)
        .enumerate()
        .for_each(|(block, output)| {
            let mut row_weights = [0.0f32; SMALL];
            for (offset, output_row) in output.chunks_mut(columns).enumerate() {
                let row = block * ROWS_PER_TASK + offset;
                for (position, weight) in row_weights[..inner].iter_mut().enumerate() {
                    *weight = weights.at(row, position);
                }
                for (first, output_block) in (0..columns)
                    .step_by(LANES)
                    .zip(output_row.chunks_mut(LANES))
                {
                    let mut sums = [0.0f32; LANES];
                    let width = output_block.len();
                    for (position, weight) in row_weights[..inner].iter().enumerate() {
                        let source = &matrix[position * columns + first..][..width];
                        for (sum, value) in sums.iter_mut().zip(source) {
                            *sum += weight * value;
                        }
                    }
                    for (value, sum) in output_block.iter_mut().zip(sums) {
                        *value += sum;
                    }
                }
            }
        });
}

/// `output [m, n] = matrix [m, k] · smallᵀ`, `matrix` row-major and `small` `[n, k]`
/// contiguous: each output value is the dot product of a row of each.
fn dot_rows(matrix: View, small: &[f32], output: &mut [f32]) {
    let (inner, columns) = (matrix.columns, small.len() / matrix.columns.max(1));
    output
        .par_chunks_mut(ROWS_PER_TASK * columns)
        .enumerate()
        .for_each(|(block, output)| {
            for (offset, output_row) in output.chunks_mut(columns).enumerate() {
                let row = matrix.row(block * ROWS_PER_TASK + offset);
                for (value, small_row) in output_row.iter_mut().zip(small.chunks(inner)) {
                    *value = dot(row, small_row);
                }
            }
        });
}

/// `target += scale · source`.
fn add_scaled(target: &mut [f32], scale: f32, source: &[f32]) {
    for (target, source) in target.iter_mut().zip(source) {
        *target += scale * source;
    }
}

/// The dot product, summed in 16 lanes (so the compiler can vectorize it) then across them in a
/// fixed order.
fn dot(left: &[f32], right: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let (left_chunks, right_chunks) = (left.chunks_exact(LANES), right.chunks_exact(LANES));
    let tail: f32 = left_chunks
        .remainder()
        .iter()
        .zip(right_chunks.remainder())
        .map(|(left, right)| left * right)
        .sum();
    for (left, right) in left_chunks.zip(right_chunks) {
        for lane in 0..LANES {
            lanes[lane] += left[lane] * right[lane];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Writes the `[columns, rows]` matrix `transposed` into `output [rows, columns]`.
fn transpose_into(transposed: &[f32], columns: usize, output: &mut [f32]) {
    let rows = output.len() / columns;
    for (row, output_row) in output.chunks_mut(columns).enumerate() {
        for (column, value) in output_row.iter_mut().enumerate() {
            *value = transposed[column * rows + row];
        }
    }
}
