//! The fused ops' meaning in candle's own differentiable operations, for tensors the fused ops
//! cannot take: their kernels are written for f32 on the CPU only, so a CUDA tensor (or another
//! dtype) runs through these instead, on whatever device holds it.

use candle_core::backend::{BackendDevice, BackendStorage};
use candle_core::op::BackpropOp;
use candle_core::{CudaStorage, D, DType, Layout, Shape, Storage, Tensor};

/// Whether a tensor must take the composed path: the fused kernels read f32 CPU storage only.
pub fn needed_for(tensor: &Tensor) -> bool {
    !tensor.device().is_cpu() || tensor.dtype() != DType::F32
}

/// Softmax over the last axis; the maximum is a constant shift, so it carries no gradient.
pub fn softmax_last(input: &Tensor) -> candle_core::Result<Tensor> {
    let max = input.max_keepdim(D::Minus1)?.detach();
    let exponentials = input.broadcast_sub(&max)?.exp()?;
    let total = exponentials.sum_keepdim(D::Minus1)?;
    exponentials.broadcast_div(&total)
}

/// Softmax of `scores + mask`, the mask broadcast over heads (and batch when it has one row).
pub fn masked_softmax(scores: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    softmax_last(&scores.broadcast_add(mask)?)
}

/// `silu(gate) · up`.
pub fn swiglu(gate: &Tensor, up: &Tensor) -> candle_core::Result<Tensor> {
    gate.silu()? * up
}

/// Cross-entropy of each row of `logits [rows, vocab]` against `targets [rows]`: `[rows]`.
pub fn row_cross_entropy(logits: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
    let max = logits.max_keepdim(D::Minus1)?.detach();
    let shifted = logits.broadcast_sub(&max)?;
    let log_total = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    let picked = shifted.gather(&targets.unsqueeze(1)?, 1)?;
    (log_total - picked)?.squeeze(1)
}

/// Runs `map`, a function of candle operations, on a CUDA op's input storage: how an op whose
/// forward is itself made of candle operations (and whose backward is its own) runs on a GPU.
/// The input and output are copied once each, because a tensor must own its storage; that is
/// far cheaper than the gradient of a constant that the plain composition would compute.
pub fn map_cuda_storage(
    map: &dyn Fn(&Tensor) -> candle_core::Result<Tensor>,
    storage: &CudaStorage,
    layout: &Layout,
) -> candle_core::Result<(CudaStorage, Shape)> {
    let mut owned = storage
        .device()
        .zeros_impl(layout.shape(), storage.dtype())?;
    storage.copy_strided_src(&mut owned, 0, layout)?;
    let input = Tensor::from_storage(
        Storage::Cuda(owned),
        layout.shape().clone(),
        BackpropOp::none(),
        false,
    );
    let output = map(&input)?;
    let (output_storage, output_layout) = output.storage_and_layout();
    let Storage::Cuda(output_storage) = &*output_storage else {
        candle_core::bail!("a map of a CUDA tensor left the GPU")
    };
    let mut result = output_storage
        .device()
        .zeros_impl(output_layout.shape(), output_storage.dtype())?;
    output_storage.copy_strided_src(&mut result, 0, output_layout)?;
    Ok((result, output_layout.shape().clone()))
}
