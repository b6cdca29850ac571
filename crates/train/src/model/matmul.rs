//! Matrix products on the CPU through `matrixmultiply`, split over the cores with rayon.
//!
//! candle's CPU matmul is the `gemm` crate's; on this project's reference CPU (AMD EPYC, Zen 4)
//! gemm 0.19 reaches about 40 GFLOP/s a core on the trainer's shapes, where `matrixmultiply`'s
//! FMA kernels reach 88–92 and OpenBLAS 95–102 (bench/train/results/NOTES.md). Every product in
//! the trainer's CPU path goes through here; off the CPU candle's own matmul serves.
//!
//! Work splits into one task per thread: across the batch when it has enough entries, otherwise
//! across the rows of each product in blocks of whole kernel tiles. Every output
//! element is summed in the same order whatever the split, so results are bit-identical for any
//! thread count.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::kernel::is_cpu_f32;

/// Rows or columns per split are a multiple of this, so no kernel tile straddles two tasks.
const SPLIT_ALIGNMENT: usize = 64;

/// One operand: its values, where each batch entry's matrix starts, and its strides.
struct Operand<'a> {
    values: &'a [f32],
    offsets: Vec<usize>,
    row_stride: usize,
    column_stride: usize,
}

impl<'a> Operand<'a> {
    fn new(storage: &'a CpuStorage, layout: &Layout, side: &str) -> candle_core::Result<Self> {
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("matmul expects f32 values ({side} operand)")
        };
        let (dims, strides) = (layout.dims(), layout.stride());
        let rank = dims.len();
        let mut offsets = vec![layout.start_offset()];
        for axis in 0..rank - 2 {
            offsets = offsets
                .iter()
                .flat_map(|offset| (0..dims[axis]).map(move |index| offset + index * strides[axis]))
                .collect();
        }
        let operand = Self {
            values,
            offsets,
            row_stride: strides[rank - 2],
            column_stride: strides[rank - 1],
        };
        let (rows, columns) = (dims[rank - 2], dims[rank - 1]);
        let last = |offset: usize| {
            offset
                + rows.saturating_sub(1) * operand.row_stride
                + columns.saturating_sub(1) * operand.column_stride
        };
        if rows * columns > 0 && operand.offsets.iter().any(|&o| last(o) >= values.len()) {
            candle_core::bail!("matmul: the {side} operand's layout {layout:?} exceeds its storage")
        }
        Ok(operand)
    }

    /// The values from the start of batch entry `entry`'s row `row` on.
    fn values_from_row(&self, entry: usize, row: usize) -> &[f32] {
        &self.values[self.offsets[entry] + row * self.row_stride..]
    }
}

/// `lhs [..., m, k] · rhs [..., k, n]` into a new contiguous `[..., m, n]`, any strides.
pub fn cpu_matmul(
    lhs: &CpuStorage,
    lhs_layout: &Layout,
    rhs: &CpuStorage,
    rhs_layout: &Layout,
) -> candle_core::Result<(CpuStorage, Shape)> {
    let (lhs_dims, rhs_dims) = (lhs_layout.dims(), rhs_layout.dims());
    let rank = lhs_dims.len();
    if rank < 2
        || rhs_dims.len() != rank
        || lhs_dims[..rank - 2] != rhs_dims[..rank - 2]
        || lhs_dims[rank - 1] != rhs_dims[rank - 2]
    {
        candle_core::bail!("matmul shapes do not pair up: {lhs_dims:?} · {rhs_dims:?}")
    }
    let (rows, inner, columns) = (lhs_dims[rank - 2], lhs_dims[rank - 1], rhs_dims[rank - 1]);
    let lhs = Operand::new(lhs, lhs_layout, "left")?;
    let rhs = Operand::new(rhs, rhs_layout, "right")?;
    let mut output = vec![0.0f32; lhs.offsets.len() * rows * columns];
    let mut shape = lhs_dims[..rank - 2].to_vec();
    shape.extend([rows, columns]);
    if !output.is_empty() && inner > 0 {
        let entry_size = rows * columns;
        let tasks = rayon::current_num_threads().max(1);
        let rows_per_task = if lhs.offsets.len() >= tasks {
            rows
        } else {
            rows.div_ceil(tasks).next_multiple_of(SPLIT_ALIGNMENT)
        };
        output
            .par_chunks_mut(entry_size)
            .enumerate()
            .flat_map(|(entry, values)| {
                values
                    .par_chunks_mut(rows_per_task * columns)
                    .enumerate()
                    .map(move |(block, values)| (entry, block * rows_per_task, values))
            })
            .for_each(|(entry, first_row, block)| {
                multiply_into(
                    block,
                    columns,
                    inner,
                    (&lhs, entry, first_row),
                    (&rhs, entry),
                )
            });
    }
    Ok((CpuStorage::F32(output), Shape::from(shape)))
}

/// Writes `output [rows, columns] = lhs rows · rhs`, `rows = output.len() / columns`, reading
/// `lhs` from batch entry and row given, `rhs` from its entry's first row.
#[allow(unsafe_code)]
fn multiply_into(
    output: &mut [f32],
    columns: usize,
    inner: usize,
    (lhs, lhs_entry, lhs_row): (&Operand, usize, usize),
    (rhs, rhs_entry): (&Operand, usize),
) {
    let rows = output.len() / columns;
    let lhs_values = lhs.values_from_row(lhs_entry, lhs_row);
    let rhs_values = rhs.values_from_row(rhs_entry, 0);
    // SAFETY: `Operand::new` checked that every entry's matrix (all its rows and columns at its
    // strides) lies inside its values, so `rows × inner` from row `lhs_row` and `inner × columns`
    // are read in bounds; the output slice holds exactly `rows × columns` values, written with
    // row stride `columns` and column stride 1; `matrixmultiply` reads and writes nothing else.
    unsafe {
        matrixmultiply::sgemm(
            rows,
            inner,
            columns,
            1.0,
            lhs_values.as_ptr(),
            lhs.row_stride as isize,
            lhs.column_stride as isize,
            rhs_values.as_ptr(),
            rhs.row_stride as isize,
            rhs.column_stride as isize,
            0.0,
            output.as_mut_ptr(),
            columns as isize,
            1,
        );
    }
}

/// [`cpu_matmul`] as a differentiable op.
struct Matmul;

impl CustomOp2 for Matmul {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn cpu_fwd(
        &self,
        lhs: &CpuStorage,
        lhs_layout: &Layout,
        rhs: &CpuStorage,
        rhs_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        cpu_matmul(lhs, lhs_layout, rhs, rhs_layout)
    }

    fn bwd(
        &self,
        lhs: &Tensor,
        rhs: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let lhs_gradient = matmul(gradient, &rhs.t()?)?;
        let rhs_gradient = matmul(&lhs.t()?, gradient)?;
        Ok((Some(lhs_gradient), Some(rhs_gradient)))
    }
}

/// `lhs · rhs` over the last two axes (batch axes equal): ours on the CPU in f32, candle's
/// elsewhere. Differentiable either way.
pub fn matmul(lhs: &Tensor, rhs: &Tensor) -> candle_core::Result<Tensor> {
    if is_cpu_f32(lhs) && is_cpu_f32(rhs) {
        lhs.apply_op2(rhs, Matmul)
    } else {
        lhs.matmul(rhs)
    }
}
