//! Each fused op's meaning in candle's own differentiable operations. The fused kernels read f32
//! CPU storage only; every other tensor (CUDA above all) takes these, on whatever device holds
//! it, and tests/fused_ops.rs holds the fused ops to these same functions.

use candle_core::{D, DType, Tensor};

use super::heads::{HeadLayout, HeadShape};
use super::rope::apply_rotary;

/// Softmax over the last axis; the maximum is a constant shift, so it carries no gradient.
pub fn softmax(input: &Tensor) -> candle_core::Result<Tensor> {
    let max = input.max_keepdim(D::Minus1)?.detach();
    let exponentials = input.broadcast_sub(&max)?.exp()?;
    let total = exponentials.sum_keepdim(D::Minus1)?;
    exponentials.broadcast_div(&total)
}

/// `softmax(query·key + mask)` in the shapes of [`super::attention_probabilities`].
pub fn attention_probabilities(
    query: &Tensor,
    key: &Tensor,
    mask: &Tensor,
    heads: usize,
) -> candle_core::Result<Tensor> {
    let (_, _, tokens, _) = mask.dims4()?;
    let scores = query.matmul(key)?;
    let per_head = scores.reshape((query.dim(0)?, heads, tokens, tokens))?;
    softmax(&per_head.broadcast_add(mask)?)?.reshape(scores.shape())
}

/// RMS norm over the last axis, scaled by `weight`.
pub fn rms_norm(input: &Tensor, weight: &Tensor, epsilon: f64) -> candle_core::Result<Tensor> {
    let mean_square = input.sqr()?.mean_keepdim(D::Minus1)?;
    let normalized = input.broadcast_div(&(mean_square + epsilon)?.sqrt()?)?;
    normalized.broadcast_mul(weight)
}

/// Mean cross-entropy of `logits [rows, vocab]` against `targets [rows]`.
pub fn cross_entropy(logits: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
    let rows = logits.dim(0)?;
    let max = logits.max_keepdim(D::Minus1)?.detach();
    let shifted = logits.broadcast_sub(&max)?;
    let log_total = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    let picked = shifted.gather(&targets.unsqueeze(1)?, 1)?;
    let per_row = (log_total - picked)?.squeeze(1)?;
    (per_row.sum_all()? / rows as f64)?.to_dtype(DType::F32)
}

/// `silu(gate) · up`.
pub fn swiglu(gate: &Tensor, up: &Tensor) -> candle_core::Result<Tensor> {
    gate.silu()? * up
}

/// Token-major `[batch·tokens, heads·head_dim]` → head-major in `layout`, rotated by
/// `(cos, sin)` (`[1 or batch, 1, tokens, head_dim]`) and multiplied by `scale`.
pub fn split_heads(
    input: &Tensor,
    shape: HeadShape,
    layout: HeadLayout,
    rotation: Option<(&Tensor, &Tensor)>,
    scale: f32,
) -> candle_core::Result<Tensor> {
    let per_head = input
        .reshape((shape.batch, shape.tokens, shape.heads, shape.head_dim))?
        .transpose(1, 2)?
        .contiguous()?;
    let rotated = match rotation {
        Some((cos, sin)) => apply_rotary(&per_head, cos, sin)?,
        None => per_head,
    };
    let scaled = if scale == 1.0 {
        rotated
    } else {
        (rotated * scale as f64)?
    };
    match layout {
        HeadLayout::TokensByDim => scaled.reshape(shape.head_major(layout)),
        HeadLayout::DimByTokens => scaled.transpose(2, 3)?.contiguous(),
    }
}

/// Head-major (`TokensByDim`) → token-major `[batch·tokens, heads·head_dim]`.
pub fn merge_heads(input: &Tensor, shape: HeadShape) -> candle_core::Result<Tensor> {
    input
        .reshape((shape.batch, shape.heads, shape.tokens, shape.head_dim))?
        .transpose(1, 2)?
        .contiguous()?
        .reshape(shape.token_major())
}
