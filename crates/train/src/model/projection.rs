//! Projections as single ops: through frozen or trained weights, and frozen ones with a LoRA adapter.
//!
//! candle's matmul backward computes a gradient for both operands, even a frozen weight, and
//! every op in the graph keeps its own output-sized result (LoRA composed: base output, low-rank
//! product, its scaled copy and the sum). These ops give backward only what trains, and write
//! the adapter's contribution into the base output in place, with the scale applied to the
//! rank-sized intermediate instead of an output-sized one.

use std::sync::Mutex;

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Shape, Storage, Tensor};

use super::kernel::{for_chunks, tensor_from};
use super::matmul::{add_product_in_place, cpu_add_product, cpu_matmul, matmul};

/// `input [rows, in] · weightᵀ` on CPU storage, computed into a fresh buffer without copies.
pub fn matmul_transposed(
    input: &CpuStorage,
    input_layout: &Layout,
    weight: &CpuStorage,
    weight_layout: &Layout,
) -> candle_core::Result<CpuStorage> {
    let (_, in_features) = input_layout.shape().dims2()?;
    let (_, weight_in) = weight_layout.shape().dims2()?;
    if weight_in != in_features {
        candle_core::bail!(
            "projection expects {weight_in} input features, got {in_features} (input {:?})",
            input_layout.dims()
        )
    }
    Ok(cpu_matmul(input, input_layout, weight, &weight_layout.transpose(0, 1)?)?.0)
}

/// [`matmul_transposed`] with the weight held by a tensor (borrowed, not copied).
fn matmul_by_weight(
    input: &CpuStorage,
    input_layout: &Layout,
    weight: &Tensor,
) -> candle_core::Result<CpuStorage> {
    let (storage, layout) = weight.storage_and_layout();
    let Storage::Cpu(weight_storage) = &*storage else {
        candle_core::bail!("projection weights must be on the CPU")
    };
    matmul_transposed(input, input_layout, weight_storage, layout)
}

fn into_values(storage: CpuStorage) -> candle_core::Result<Vec<f32>> {
    match storage {
        CpuStorage::F32(values) => Ok(values),
        other => candle_core::bail!("projection expects f32, got {:?}", other.dtype()),
    }
}

/// Adds a frozen bias to every row of `output`, in place.
fn add_bias(output: &mut [f32], bias: Option<&Tensor>) -> candle_core::Result<()> {
    let Some(bias) = bias else { return Ok(()) };
    let bias = bias.flatten_all()?.to_vec1::<f32>()?;
    let width = bias.len();
    for_chunks(output, |start, chunk| {
        for (offset, value) in chunk.iter_mut().enumerate() {
            *value += bias[(start + offset) % width];
        }
    });
    Ok(())
}

/// `x·Wᵀ + b` (arguments x and W) with b frozen. Backward gives x's gradient `g·W` and, only
/// when W trains, W's as `gᵀ·x` straight in W's own layout (candle's matmul would compute the
/// gradient of Wᵀ and then transpose it through a strided copy).
pub struct Projection {
    pub weight_gradient: bool,
    pub bias: Option<Tensor>,
}

impl CustomOp2 for Projection {
    fn name(&self) -> &'static str {
        "projection"
    }

    fn cpu_fwd(
        &self,
        input: &CpuStorage,
        input_layout: &Layout,
        weight: &CpuStorage,
        weight_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (rows, _) = input_layout.shape().dims2()?;
        let (out_features, _) = weight_layout.shape().dims2()?;
        let mut output = into_values(matmul_transposed(
            input,
            input_layout,
            weight,
            weight_layout,
        )?)?;
        add_bias(&mut output, self.bias.as_ref())?;
        Ok((CpuStorage::F32(output), Shape::from((rows, out_features))))
    }

    fn bwd(
        &self,
        input: &Tensor,
        weight: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let weight_gradient = if self.weight_gradient {
            Some(matmul(&gradient.t()?, input)?)
        } else {
            None
        };
        Ok((Some(matmul(gradient, weight)?), weight_gradient))
    }
}

/// `x·Wᵀ + b + scale·(x·Aᵀ)·Bᵀ` with W and b frozen and the adapter's A (`[rank, in]`) and B
/// (`[out, rank]`) trained: arguments are x, A, B.
pub struct AdaptedProjection {
    weight: Tensor,
    bias: Option<Tensor>,
    scale: f64,
    /// The forward pass's `scale·x·Aᵀ` (`rows × rank`), handed to backward.
    scaled_low_rank: Mutex<Option<Tensor>>,
}

impl AdaptedProjection {
    pub fn new(weight: Tensor, bias: Option<Tensor>, scale: f64) -> Self {
        Self {
            weight,
            bias,
            scale,
            scaled_low_rank: Mutex::new(None),
        }
    }
}

impl CustomOp3 for AdaptedProjection {
    fn name(&self) -> &'static str {
        "lora-projection"
    }

    fn cpu_fwd(
        &self,
        input: &CpuStorage,
        input_layout: &Layout,
        a: &CpuStorage,
        a_layout: &Layout,
        b: &CpuStorage,
        b_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (rows, in_features) = input_layout.shape().dims2()?;
        let (rank, a_in) = a_layout.shape().dims2()?;
        let (out_features, b_rank) = b_layout.shape().dims2()?;
        if a_in != in_features || b_rank != rank || out_features != self.weight.dim(0)? {
            candle_core::bail!(
                "LoRA shapes do not fit: input {:?}, A {:?}, B {:?}, weight {:?}",
                input_layout.dims(),
                a_layout.dims(),
                b_layout.dims(),
                self.weight.dims()
            )
        }
        let mut output = into_values(matmul_by_weight(input, input_layout, &self.weight)?)?;
        add_bias(&mut output, self.bias.as_ref())?;
        let low_rank = cpu_matmul(input, input_layout, a, &a_layout.transpose(0, 1)?)?
            .0
            .affine(&Layout::contiguous((rows, rank)), self.scale, 0.0)?;
        if let (Ok(mut saved), CpuStorage::F32(values)) = (self.scaled_low_rank.lock(), &low_rank) {
            *saved = Some(tensor_from(values.clone(), (rows, rank))?);
        }
        cpu_add_product(
            &low_rank,
            &Layout::contiguous((rows, rank)),
            b,
            &b_layout.transpose(0, 1)?,
            &mut output,
        )?;
        Ok((CpuStorage::F32(output), Shape::from((rows, out_features))))
    }

    fn bwd(
        &self,
        input: &Tensor,
        a: &Tensor,
        b: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        // u = s·x·Aᵀ:  dB = gᵀ·u,  du = s·g·B,  dA = duᵀ·x,  dx = g·W + du·A
        let saved = self
            .scaled_low_rank
            .lock()
            .ok()
            .and_then(|mut saved| saved.take());
        let scaled_low_rank = match saved {
            Some(saved) => saved,
            // Backward run a second time: compute it again.
            None => (matmul(input, &a.t()?)? * self.scale)?,
        };
        let b_gradient = matmul(&gradient.t()?, &scaled_low_rank)?;
        let low_rank_gradient = (matmul(gradient, b)? * self.scale)?;
        let a_gradient = matmul(&low_rank_gradient.t()?, input)?;
        let input_gradient = matmul(gradient, &self.weight)?;
        let input_gradient = add_product_in_place(input_gradient, &low_rank_gradient, a)?;
        Ok((Some(input_gradient), Some(a_gradient), Some(b_gradient)))
    }
}
