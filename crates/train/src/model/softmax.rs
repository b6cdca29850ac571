//! Softmax over the last axis as one op with its own backward: the composed version spends
//! about ten passes over every attention matrix in the backward pass, this one three.

use candle_core::{CpuStorage, CustomOp1, D, Layout, Shape, Tensor};

use super::composed;

/// An additive mask `[1 or batch, 1, tokens, tokens]` applied inside the op, so the masked scores
/// never exist as a tensor (and candle computes no gradient for the mask).
struct AttentionMask {
    values: Vec<f32>,
    per_batch: bool,
    heads: usize,
    tokens: usize,
}

struct LastAxisSoftmax {
    mask: Option<AttentionMask>,
}

impl CustomOp1 for LastAxisSoftmax {
    fn name(&self) -> &'static str {
        "softmax-last-axis"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("softmax-last-axis expects f32 input")
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("softmax-last-axis expects a contiguous input")
        };
        let width = layout.dims().last().copied().unwrap_or(1).max(1);
        let mut output = data[start..end].to_vec();
        for (index, row) in output.chunks_mut(width).enumerate() {
            if let Some(mask) = &self.mask {
                let query = index % mask.tokens;
                let batch = if mask.per_batch {
                    index / (mask.heads * mask.tokens)
                } else {
                    0
                };
                let offset = (batch * mask.tokens + query) * mask.tokens;
                for (value, masked) in row
                    .iter_mut()
                    .zip(&mask.values[offset..offset + mask.tokens])
                {
                    *value += masked;
                }
            }
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut total = 0.0f32;
            for value in row.iter_mut() {
                *value = (*value - max).exp();
                total += *value;
            }
            let scale = 1.0 / total;
            for value in row.iter_mut() {
                *value *= scale;
            }
        }
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }

    fn bwd(
        &self,
        _arg: &Tensor,
        result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        // d softmax: y ⊙ (g − Σ g⊙y)
        let dot = (gradient * result)?.sum_keepdim(D::Minus1)?;
        Ok(Some((gradient.broadcast_sub(&dot)? * result)?))
    }
}

/// Softmax over the last axis; the fused op on CPU f32, composed operations elsewhere.
pub fn softmax_last(input: &Tensor) -> candle_core::Result<Tensor> {
    if composed::needed_for(input) {
        return composed::softmax_last(input);
    }
    input
        .contiguous()?
        .apply_op1(LastAxisSoftmax { mask: None })
}

/// Softmax of `scores [batch, heads, tokens, tokens] + mask [1 or batch, 1, tokens, tokens]`.
pub fn masked_softmax(scores: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    if composed::needed_for(scores) {
        return composed::masked_softmax(scores, mask);
    }
    let (_, heads, tokens, columns) = scores.dims4()?;
    let (mask_batches, _, mask_rows, mask_columns) = mask.dims4()?;
    if mask_rows != tokens || mask_columns != columns || columns != tokens {
        candle_core::bail!(
            "attention mask {:?} does not fit scores {:?}",
            mask.dims(),
            scores.dims()
        )
    }
    let mask = AttentionMask {
        values: mask.flatten_all()?.to_vec1::<f32>()?,
        per_batch: mask_batches > 1,
        heads,
        tokens,
    };
    scores
        .contiguous()?
        .apply_op1(LastAxisSoftmax { mask: Some(mask) })
}
