//! RMS norm as one op with an analytic backward. Composed from candle primitives it is six
//! single-threaded passes forward and about a dozen backward, each allocating; fused, it is one
//! pass each way, split over rows. (candle-nn's fused norm has no backward at all.)

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

use super::composed;
use super::kernel::{fill_rows, is_cpu_f32, storage_values, sum_rows, tensor_from, with_values};
use super::linear::Weight;

struct RmsNorm {
    epsilon: f32,
    /// Frozen norm weights (LoRA) need no gradient; computing one would cost a pass over the rows.
    weight_gradient: bool,
}

/// `1 / sqrt(mean(x²) + ε)`, as transformers computes it (f32 throughout).
fn inverse_root_mean_square(row: &[f32], epsilon: f32) -> f32 {
    let sum: f32 = row.iter().map(|value| value * value).sum();
    1.0 / (sum / row.len() as f32 + epsilon).sqrt()
}

impl CustomOp2 for RmsNorm {
    fn name(&self) -> &'static str {
        "rms-norm"
    }

    fn cpu_fwd(
        &self,
        input_storage: &CpuStorage,
        input_layout: &Layout,
        weight_storage: &CpuStorage,
        weight_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = storage_values(self.name(), input_storage, input_layout)?;
        let weight = storage_values(self.name(), weight_storage, weight_layout)?;
        let width = weight.len();
        if width == 0 || input.len() % width != 0 {
            candle_core::bail!(
                "rms-norm weight of {width} does not divide input {:?}",
                input_layout.dims()
            )
        }
        let mut output = vec![0.0f32; input.len()];
        fill_rows(&mut output, width, |row, out| {
            let values = &input[row * width..(row + 1) * width];
            let scale = inverse_root_mean_square(values, self.epsilon);
            for ((out, value), weight) in out.iter_mut().zip(values).zip(weight) {
                *out = weight * (value * scale);
            }
        });
        Ok((CpuStorage::F32(output), input_layout.shape().clone()))
    }

    fn bwd(
        &self,
        input: &Tensor,
        weight: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        // y = w·x·r, r = (Σx²/n + ε)^-½:  dx = r·(g·w) − x·(r³/n)·Σ(g·w·x),  dw = Σ_rows g·x·r
        let width = weight.elem_count();
        let rows = input.elem_count() / width;
        with_values(self.name(), input, |input_values| {
            with_values(self.name(), weight, |weight_values| {
                with_values(self.name(), gradient, |gradient_values| {
                    let mut input_gradient = vec![0.0f32; input_values.len()];
                    fill_rows(&mut input_gradient, width, |row, out| {
                        let span = row * width..(row + 1) * width;
                        let values = &input_values[span.clone()];
                        let incoming = &gradient_values[span];
                        let scale = inverse_root_mean_square(values, self.epsilon);
                        let dot: f32 = incoming
                            .iter()
                            .zip(weight_values)
                            .zip(values)
                            .map(|((g, w), x)| g * w * x)
                            .sum();
                        let correction = scale * scale * scale * dot / width as f32;
                        for (((out, g), w), x) in
                            out.iter_mut().zip(incoming).zip(weight_values).zip(values)
                        {
                            *out = scale * g * w - x * correction;
                        }
                    });
                    let weight_gradient = if self.weight_gradient {
                        let sums = sum_rows(rows, width, |row, partial| {
                            let span = row * width..(row + 1) * width;
                            let values = &input_values[span.clone()];
                            let scale = inverse_root_mean_square(values, self.epsilon);
                            for ((sum, g), x) in
                                partial.iter_mut().zip(&gradient_values[span]).zip(values)
                            {
                                *sum += g * x * scale;
                            }
                        });
                        Some(tensor_from(sums, weight.shape())?)
                    } else {
                        None
                    };
                    Ok((
                        Some(tensor_from(input_gradient, input.shape())?),
                        weight_gradient,
                    ))
                })
            })
        })
    }
}

/// RMS norm over the last axis, scaled by `weight`; the fused op on CPU f32.
pub fn rms_norm(input: &Tensor, weight: &Weight, epsilon: f64) -> candle_core::Result<Tensor> {
    let tensor = weight.tensor();
    if is_cpu_f32(input) && is_cpu_f32(tensor) {
        return input.contiguous()?.apply_op2(
            &tensor.contiguous()?,
            RmsNorm {
                epsilon: epsilon as f32,
                weight_gradient: weight.var().is_some(),
            },
        );
    }
    composed::rms_norm(input, tensor, epsilon)
}
