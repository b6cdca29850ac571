//! Matrix products on the CPU: `matrixmultiply`'s kernels for the large ones, split over the
//! cores with rayon, and direct loops for the skinny ones LoRA makes ([`super::skinny`]).
//!
//! candle's CPU matmul is the `gemm` crate's; on this project's reference CPU (AMD EPYC, Zen 4)
//! gemm 0.19 reaches about 40 GFLOP/s a core on the trainer's shapes, where `matrixmultiply`'s
//! kernels reach 88–92 and OpenBLAS 95–102 (bench/train/results/NOTES.md). Every product in the
//! trainer's CPU path goes through here; off the CPU candle's own matmul serves.
//!
//! Large products split into one block of rows per thread, in whole kernel tiles. Every output
//! element is summed in the same order whatever the split, so results are bit-identical for any
//! thread count.

use candle_core::{CpuStorage, CustomOp2, InplaceOp3, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::kernel::{add_into, is_cpu_f32};
use super::skinny;

/// Rows per split are a multiple of this, so no kernel tile straddles two tasks.
const SPLIT_ALIGNMENT: usize = 64;

/// One matrix: a strided view into values.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    values: &'a [f32],
    offset: usize,
    pub rows: usize,
    pub columns: usize,
    row_stride: usize,
    column_stride: usize,
}

impl<'a> View<'a> {
    fn new(
        values: &'a [f32],
        offset: usize,
        (rows, columns): (usize, usize),
        (row_stride, column_stride): (usize, usize),
    ) -> Option<Self> {
        let view = Self {
            values,
            offset,
            rows,
            columns,
            row_stride,
            column_stride,
        };
        view.fits().then_some(view)
    }

    /// Whether every element lies inside `values`.
    fn fits(&self) -> bool {
        let last = self.offset
            + self.rows.saturating_sub(1) * self.row_stride
            + self.columns.saturating_sub(1) * self.column_stride;
        self.rows * self.columns == 0 || last < self.values.len()
    }

    pub fn at(&self, row: usize, column: usize) -> f32 {
        self.values[self.offset + row * self.row_stride + column * self.column_stride]
    }

    pub fn is_row_major(&self) -> bool {
        self.column_stride == 1 || self.columns == 1
    }

    pub fn is_column_major(&self) -> bool {
        self.row_stride == 1 || self.rows == 1
    }

    /// Row `row`'s values; the view must be row-major.
    pub fn row(&self, row: usize) -> &'a [f32] {
        debug_assert!(self.is_row_major());
        let start = self.offset + row * self.row_stride;
        &self.values[start..start + self.columns]
    }

    pub fn transposed(self) -> Self {
        Self {
            rows: self.columns,
            columns: self.rows,
            row_stride: self.column_stride,
            column_stride: self.row_stride,
            ..self
        }
    }

    /// Rows `first..first + count`.
    fn rows_from(self, first: usize, count: usize) -> Self {
        debug_assert!(first + count <= self.rows);
        Self {
            offset: self.offset + first * self.row_stride,
            rows: count,
            ..self
        }
    }

    /// A contiguous row-major copy.
    pub fn to_row_major(self) -> Vec<f32> {
        if self.is_row_major() && self.row_stride == self.columns {
            let start = self.offset;
            return self.values[start..start + self.rows * self.columns].to_vec();
        }
        (0..self.rows)
            .flat_map(|row| (0..self.columns).map(move |column| self.at(row, column)))
            .collect()
    }
}

/// The matrices of one operand, one a batch entry.
fn entries<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    side: &str,
) -> candle_core::Result<Vec<View<'a>>> {
    let CpuStorage::F32(values) = storage else {
        candle_core::bail!("matmul expects f32 values ({side} operand)")
    };
    let (dims, strides) = (layout.dims(), layout.stride());
    let rank = dims.len();
    if rank < 2 {
        candle_core::bail!("matmul needs matrices, got {dims:?} ({side} operand)")
    }
    let mut offsets = vec![layout.start_offset()];
    for axis in 0..rank - 2 {
        offsets = offsets
            .iter()
            .flat_map(|offset| (0..dims[axis]).map(move |index| offset + index * strides[axis]))
            .collect();
    }
    offsets
        .into_iter()
        .map(|offset| {
            View::new(
                values,
                offset,
                (dims[rank - 2], dims[rank - 1]),
                (strides[rank - 2], strides[rank - 1]),
            )
            .ok_or_else(|| {
                candle_core::Error::Msg(format!(
                    "matmul: the {side} operand's layout {layout:?} exceeds its storage"
                ))
            })
        })
        .collect()
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
    let (rows, columns) = (lhs_dims[rank - 2], rhs_dims[rank - 1]);
    let lhs = entries(lhs, lhs_layout, "left")?;
    let rhs = entries(rhs, rhs_layout, "right")?;
    let mut output = vec![0.0f32; lhs.len() * rows * columns];
    if !output.is_empty() {
        // With an entry per thread or more, each product runs whole on one thread: split too,
        // every part would pack the right operand again.
        let tasks_per_entry = rayon::current_num_threads().max(1) / lhs.len();
        output
            .par_chunks_mut(rows * columns)
            .zip(lhs.par_iter().zip(&rhs))
            .for_each(|(output, (&lhs, &rhs))| multiply(lhs, rhs, output, tasks_per_entry));
    }
    let mut shape = lhs_dims[..rank - 2].to_vec();
    shape.extend([rows, columns]);
    Ok((CpuStorage::F32(output), Shape::from(shape)))
}

/// `output += lhs · rhs` for 2-D operands, `output` row-major: a small inner size (LoRA's
/// update into its base projection) adds in place, others through a product buffer.
pub fn cpu_add_product(
    lhs: &CpuStorage,
    lhs_layout: &Layout,
    rhs: &CpuStorage,
    rhs_layout: &Layout,
    output: &mut [f32],
) -> candle_core::Result<()> {
    let (lhs_views, rhs_views) = (
        entries(lhs, lhs_layout, "left")?,
        entries(rhs, rhs_layout, "right")?,
    );
    let (&[lhs_view], &[rhs_view]) = (&lhs_views[..], &rhs_views[..]) else {
        candle_core::bail!("adding a product takes 2-D operands")
    };
    if lhs_view.columns != rhs_view.rows || output.len() != lhs_view.rows * rhs_view.columns {
        candle_core::bail!(
            "product {:?} · {:?} does not fit an output of {} values",
            lhs_layout.dims(),
            rhs_layout.dims(),
            output.len()
        )
    }
    if !skinny::add_product(lhs_view, rhs_view, output) {
        let mut product = vec![0.0f32; output.len()];
        multiply(
            lhs_view,
            rhs_view,
            &mut product,
            rayon::current_num_threads(),
        );
        add_into(output, &product);
    }
    Ok(())
}

/// `tensor += lhs · rhs` in `tensor`'s own CPU buffer, for a freshly computed gradient that
/// nothing else holds; arguments: the product's two operands.
struct AddProductAssign;

impl InplaceOp3 for AddProductAssign {
    fn name(&self) -> &'static str {
        "add-product-assign"
    }

    fn cpu_fwd(
        &self,
        destination: &mut CpuStorage,
        destination_layout: &Layout,
        lhs: &CpuStorage,
        lhs_layout: &Layout,
        rhs: &CpuStorage,
        rhs_layout: &Layout,
    ) -> candle_core::Result<()> {
        let CpuStorage::F32(values) = destination else {
            candle_core::bail!("{} expects f32", self.name())
        };
        let Some((start, end)) = destination_layout.contiguous_offsets() else {
            candle_core::bail!("{} expects a contiguous destination", self.name())
        };
        cpu_add_product(lhs, lhs_layout, rhs, rhs_layout, &mut values[start..end])
    }
}

/// `tensor + lhs · rhs`, written into `tensor`'s buffer (a fresh CPU f32 result nothing else
/// holds), without a product-sized buffer when the inner size is small.
pub fn add_product_in_place(
    tensor: Tensor,
    lhs: &Tensor,
    rhs: &Tensor,
) -> candle_core::Result<Tensor> {
    let tensor = tensor.contiguous()?;
    tensor.inplace_op3(lhs, rhs, &AddProductAssign)?;
    Ok(tensor)
}

/// `output = lhs · rhs`, `output` row-major and zeroed, tiled products split in up to `tasks`.
fn multiply(lhs: View, rhs: View, output: &mut [f32], tasks: usize) {
    if lhs.columns == 0 || skinny::multiply(lhs, rhs, output) {
        return;
    }
    if tasks <= 1 {
        return multiply_tiled(lhs, rhs, output);
    }
    let rows_per_task = lhs.rows.div_ceil(tasks).next_multiple_of(SPLIT_ALIGNMENT);
    output
        .par_chunks_mut(rows_per_task * rhs.columns)
        .enumerate()
        .for_each(|(block, output)| {
            let rows = output.len() / rhs.columns;
            multiply_tiled(lhs.rows_from(block * rows_per_task, rows), rhs, output)
        });
}

/// `output = lhs · rhs` through `matrixmultiply`, on this thread.
#[allow(unsafe_code)]
fn multiply_tiled(lhs: View, rhs: View, output: &mut [f32]) {
    assert!(
        lhs.fits() && rhs.fits(),
        "matmul operands outside their storage"
    );
    assert!(lhs.columns == rhs.rows && output.len() == lhs.rows * rhs.columns);
    // SAFETY: both views lie inside their values (all rows and columns at their strides,
    // checked just above), and `output` holds exactly `rows × columns` values, written with row
    // stride `columns` and column stride 1; `matrixmultiply` reads and writes nothing else.
    unsafe {
        matrixmultiply::sgemm(
            lhs.rows,
            lhs.columns,
            rhs.columns,
            1.0,
            lhs.values[lhs.offset..].as_ptr(),
            lhs.row_stride as isize,
            lhs.column_stride as isize,
            rhs.values[rhs.offset..].as_ptr(),
            rhs.row_stride as isize,
            rhs.column_stride as isize,
            0.0,
            output.as_mut_ptr(),
            rhs.columns as isize,
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
