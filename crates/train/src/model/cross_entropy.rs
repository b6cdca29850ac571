//! Cross-entropy of the output projection as one op. Composed, the logits (`rows × vocabulary`,
//! 400 MB for SmolLM2 at 2,048 tokens) exist four times at once in backward: the logits, their
//! gradient, the zeros candle accumulates it into and the sum. Here the forward pass keeps the
//! logits it computed and backward turns that same buffer into their gradient in place, so one
//! logits-sized buffer exists at any time; a frozen head (LoRA) gets no weight gradient.

use std::sync::Mutex;

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Shape, Tensor};

use super::composed;
use super::exp::{exp, sum_of_exp};
use super::kernel::{fill_rows, is_cpu_f32, tensor_from, with_values};
use super::linear::Weight;
use super::matmul::matmul;
use super::projection::matmul_transposed;

/// `log Σ exp(row)`, shifted by the row's maximum for range.
fn log_total(row: &[f32]) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    max + sum_of_exp(row, max).ln()
}

struct ProjectedCrossEntropy {
    targets: Vec<u32>,
    weight_gradient: bool,
    /// The forward pass's logits, handed to backward (taken, so they are freed with it).
    logits: Mutex<Option<Vec<f32>>>,
}

impl ProjectedCrossEntropy {
    fn logits(&self, hidden: &Tensor, weight: &Tensor) -> candle_core::Result<Vec<f32>> {
        if let Some(saved) = self.logits.lock().ok().and_then(|mut saved| saved.take()) {
            return Ok(saved);
        }
        // Backward run a second time: compute them again.
        matmul(hidden, &weight.t()?)?
            .flatten_all()?
            .to_vec1::<f32>()
    }
}

impl CustomOp2 for ProjectedCrossEntropy {
    fn name(&self) -> &'static str {
        "projected-cross-entropy"
    }

    fn cpu_fwd(
        &self,
        hidden_storage: &CpuStorage,
        hidden_layout: &Layout,
        weight_storage: &CpuStorage,
        weight_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let rows = hidden_layout.shape().dims2()?.0;
        let vocabulary = weight_layout.shape().dims2()?.0;
        if self.targets.len() != rows {
            candle_core::bail!("{} targets for {rows} rows", self.targets.len())
        }
        if let Some(target) = self.targets.iter().find(|&&t| t as usize >= vocabulary) {
            candle_core::bail!("target id {target} is outside the vocabulary of {vocabulary}")
        }
        let logits =
            matmul_transposed(hidden_storage, hidden_layout, weight_storage, weight_layout)?;
        let CpuStorage::F32(logits) = logits else {
            candle_core::bail!("{} expects f32", self.name())
        };
        let mut losses = vec![0.0f32; rows];
        fill_rows(&mut losses, 1, |row, loss| {
            let values = &logits[row * vocabulary..(row + 1) * vocabulary];
            loss[0] = log_total(values) - values[self.targets[row] as usize];
        });
        if let Ok(mut saved) = self.logits.lock() {
            *saved = Some(logits);
        }
        Ok((CpuStorage::F32(losses), Shape::from(rows)))
    }

    fn bwd(
        &self,
        hidden: &Tensor,
        weight: &Tensor,
        _losses: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        // d loss_r / d logit_rj = softmax_rj − [j = target_r], times the row's incoming gradient.
        let (rows, vocabulary) = (hidden.dim(0)?, weight.dim(0)?);
        let mut values = self.logits(hidden, weight)?;
        with_values(self.name(), gradient, |scales| {
            fill_rows(&mut values, vocabulary, |row, logits| {
                let log_total = log_total(logits);
                let scale = scales[row];
                for value in logits.iter_mut() {
                    *value = exp(*value - log_total) * scale;
                }
                logits[self.targets[row] as usize] -= scale;
            });
            Ok(())
        })?;
        let logits_gradient = tensor_from(values, (rows, vocabulary))?;
        let hidden_gradient = matmul(&logits_gradient, weight)?;
        let weight_gradient = if self.weight_gradient {
            Some(matmul(&logits_gradient.t()?, hidden)?)
        } else {
            None
        };
        Ok((Some(hidden_gradient), weight_gradient))
    }
}

/// Cross-entropy per row of `hidden [rows, dim] · headᵀ` against `targets [rows]`, averaged.
pub fn projected_cross_entropy(
    hidden: &Tensor,
    head: &Weight,
    targets: &Tensor,
) -> candle_core::Result<Tensor> {
    let weight = head.tensor();
    if !(is_cpu_f32(hidden) && is_cpu_f32(weight)) {
        return composed::cross_entropy(&hidden.matmul(&weight.t()?)?, targets);
    }
    let rows = hidden.dim(0)?;
    let per_row = hidden.contiguous()?.apply_op2(
        &weight.contiguous()?,
        ProjectedCrossEntropy {
            targets: targets.to_vec1::<u32>()?,
            weight_gradient: head.var().is_some(),
            logits: Mutex::new(None),
        },
    )?;
    (per_row.sum_all()? / rows as f64)?.to_dtype(DType::F32)
}
