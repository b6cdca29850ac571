//! Attention probabilities `softmax(q·k + mask)` as one op with its own backward.
//!
//! Composed, the scores and the probabilities both stay alive for backward (two of the largest
//! tensors of every layer), the mask is a broadcast add, and the softmax and its backward are
//! about ten single-threaded passes. Here the scores exist only inside the forward pass (softmax
//! backward needs the probabilities alone), the mask is applied in place, and each row's softmax
//! and its backward are one pass, split over rows.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, D, Layout, Shape, Tensor};

use super::composed;
use super::exp::exp;
use super::kernel::{fill_rows, is_cpu_f32, sum_in_lanes, tensor_from, with_values};
use super::matmul::{cpu_matmul, matmul};

/// An additive mask `[1 or batch, 1, tokens, tokens]`, applied row by row.
struct AttentionMask {
    values: Vec<f32>,
    per_batch: bool,
    heads: usize,
    tokens: usize,
}

impl AttentionMask {
    /// Adds row `index`'s mask to `row` (one query's scores; rows run batch, head, query).
    fn apply(&self, index: usize, row: &mut [f32]) {
        let query = index % self.tokens;
        let batch = if self.per_batch {
            index / (self.heads * self.tokens)
        } else {
            0
        };
        let offset = (batch * self.tokens + query) * self.tokens;
        for (value, masked) in row
            .iter_mut()
            .zip(&self.values[offset..offset + self.tokens])
        {
            *value += masked;
        }
    }
}

/// Softmax of one row, in place.
fn softmax_row(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for value in row.iter_mut() {
        *value = exp(*value - max);
    }
    let scale = 1.0 / sum_in_lanes(row, |value| value);
    for value in row.iter_mut() {
        *value *= scale;
    }
}

/// Arguments: queries `[batch, blocks, rows, head_dim]`, keys `[batch, blocks, head_dim, tokens]`.
struct AttentionProbabilities {
    mask: AttentionMask,
}

impl CustomOp2 for AttentionProbabilities {
    fn name(&self) -> &'static str {
        "attention-probabilities"
    }

    fn cpu_fwd(
        &self,
        query: &CpuStorage,
        query_layout: &Layout,
        key: &CpuStorage,
        key_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (batch, blocks, rows, head_dim) = query_layout.shape().dims4()?;
        let (key_batch, key_blocks, key_dim, tokens) = key_layout.shape().dims4()?;
        if (key_batch, key_blocks, key_dim) != (batch, blocks, head_dim) {
            candle_core::bail!(
                "queries {:?} and keys {:?} do not pair up",
                query_layout.dims(),
                key_layout.dims()
            )
        }
        let (scores, _) = cpu_matmul(query, query_layout, key, key_layout)?;
        let CpuStorage::F32(mut scores) = scores else {
            candle_core::bail!("{} expects f32, got {:?}", self.name(), scores.dtype())
        };
        fill_rows(&mut scores, tokens, |index, row| {
            self.mask.apply(index, row);
            softmax_row(row);
        });
        Ok((
            CpuStorage::F32(scores),
            Shape::from((batch, blocks, rows, tokens)),
        ))
    }

    fn bwd(
        &self,
        query: &Tensor,
        key: &Tensor,
        probabilities: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        // d softmax: dS = P ⊙ (dP − Σ dP⊙P) per row; then dq = dS·kᵀ, dk = qᵀ·dS.
        let tokens = self.mask.tokens;
        let scores_gradient = with_values(self.name(), probabilities, |y| {
            with_values(self.name(), gradient, |g| {
                let mut output = vec![0.0f32; y.len()];
                fill_rows(&mut output, tokens, |index, row| {
                    let span = index * tokens..(index + 1) * tokens;
                    let (y, g) = (&y[span.clone()], &g[span]);
                    let dot: f32 = y.iter().zip(g).map(|(y, g)| y * g).sum();
                    for ((out, y), g) in row.iter_mut().zip(y).zip(g) {
                        *out = y * (g - dot);
                    }
                });
                tensor_from(output, probabilities.shape())
            })
        })?;
        let query_gradient = matmul(&scores_gradient, &key.t()?)?;
        let key_gradient = matmul(&query.t()?, &scores_gradient)?;
        Ok((Some(query_gradient), Some(key_gradient)))
    }
}

/// `softmax(query·key + mask)` over the last axis. `query [batch, blocks, rows, head_dim]` holds
/// `heads × tokens` query rows per batch entry (blocks of query heads sharing one key head),
/// `key [batch, blocks, head_dim, tokens]`, `mask [1 or batch, 1, tokens, tokens]`.
pub fn attention_probabilities(
    query: &Tensor,
    key: &Tensor,
    mask: &Tensor,
    heads: usize,
) -> candle_core::Result<Tensor> {
    let (mask_batches, _, tokens, mask_columns) = mask.dims4()?;
    let batch = query.dim(0)?;
    if mask_columns != tokens
        || key.dims().last() != Some(&tokens)
        || query.elem_count() != batch * heads * tokens * query.dim(D::Minus1)?
        || (mask_batches != 1 && mask_batches != batch)
    {
        candle_core::bail!(
            "attention mask {:?} does not fit queries {:?}, keys {:?} of {heads} heads",
            mask.dims(),
            query.dims(),
            key.dims()
        )
    }
    if !(is_cpu_f32(query) && is_cpu_f32(key)) {
        return composed::attention_probabilities(query, key, mask, heads);
    }
    let mask = AttentionMask {
        values: mask.flatten_all()?.to_vec1::<f32>()?,
        per_batch: mask_batches > 1,
        heads,
        tokens,
    };
    query
        .contiguous()?
        .apply_op2(&key.contiguous()?, AttentionProbabilities { mask })
}
