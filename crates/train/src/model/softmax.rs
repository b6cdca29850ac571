//! Softmax over the last axis as one op with its own backward: the composed version spends
//! about ten single-threaded passes over every attention matrix in the backward pass, this one
//! one pass each way, split over rows.

use candle_core::{CpuStorage, CustomOp1, D, Layout, Shape, Tensor};

use super::kernel::{fill_rows, is_cpu_f32, storage_values, tensor_from, with_values};

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

impl LastAxisSoftmax {
    /// Adds row `index`'s mask to `row` (a row of scores for one query).
    fn mask_row(&self, index: usize, row: &mut [f32]) {
        let Some(mask) = &self.mask else { return };
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
        let input = storage_values(self.name(), storage, layout)?;
        let width = layout.dims().last().copied().unwrap_or(1).max(1);
        let mut output = vec![0.0f32; input.len()];
        fill_rows(&mut output, width, |index, row| {
            row.copy_from_slice(&input[index * width..(index + 1) * width]);
            self.mask_row(index, row);
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
        });
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }

    fn bwd(
        &self,
        _arg: &Tensor,
        result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        // d softmax: y ⊙ (g − Σ g⊙y), one pass per row.
        let width = result.dims().last().copied().unwrap_or(1).max(1);
        with_values(self.name(), result, |probabilities| {
            with_values(self.name(), gradient, |incoming| {
                let mut output = vec![0.0f32; probabilities.len()];
                fill_rows(&mut output, width, |index, row| {
                    let span = index * width..(index + 1) * width;
                    let (y, g) = (&probabilities[span.clone()], &incoming[span]);
                    let dot: f32 = y.iter().zip(g).map(|(y, g)| y * g).sum();
                    for ((out, y), g) in row.iter_mut().zip(y).zip(g) {
                        *out = y * (g - dot);
                    }
                });
                Ok(Some(tensor_from(output, result.shape())?))
            })
        })
    }
}

/// Softmax over the last axis; the fused op on CPU f32, composed operations elsewhere.
pub fn softmax_last(input: &Tensor) -> candle_core::Result<Tensor> {
    if is_cpu_f32(input) {
        return input
            .contiguous()?
            .apply_op1(LastAxisSoftmax { mask: None });
    }
    composed(input)
}

/// Softmax of `scores + mask`: scores `[batch, …, tokens]` hold `heads × tokens` query rows per
/// batch entry (any split of those over the middle axes), the mask is
/// `[1 or batch, 1, tokens, tokens]`. The result has the scores' shape.
pub fn masked_softmax(scores: &Tensor, mask: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
    let (mask_batches, _, tokens, mask_columns) = mask.dims4()?;
    let batch = scores.dim(0)?;
    if mask_columns != tokens
        || scores.dims().last() != Some(&tokens)
        || scores.elem_count() != batch * heads * tokens * tokens
        || (mask_batches != 1 && mask_batches != batch)
    {
        candle_core::bail!(
            "attention mask {:?} does not fit scores {:?} of {heads} heads",
            mask.dims(),
            scores.dims()
        )
    }
    if !is_cpu_f32(scores) {
        let per_head = scores.reshape((batch, heads, tokens, tokens))?;
        return composed(&per_head.broadcast_add(mask)?)?.reshape(scores.shape());
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

fn composed(input: &Tensor) -> candle_core::Result<Tensor> {
    let max = input.max_keepdim(D::Minus1)?.detach();
    let exponentials = input.broadcast_sub(&max)?.exp()?;
    let total = exponentials.sum_keepdim(D::Minus1)?;
    exponentials.broadcast_div(&total)
}
