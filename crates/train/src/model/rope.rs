//! Rotary position embeddings in Hugging Face's half-split layout, with llama3/linear scaling.

use candle_core::{D, DType, Device, Tensor};

use crate::config::ModelConfig;

/// cos/sin for every position up to the model's context, `[positions, head_dim]` each.
#[derive(Debug, Clone)]
pub struct RotaryTables {
    cos: Tensor,
    sin: Tensor,
}

/// The per-pair inverse frequencies, stretched as the config's `rope_scaling` says.
pub fn inverse_frequencies(config: &ModelConfig) -> Vec<f64> {
    let head_dim = config.head_dim();
    let base: Vec<f64> = (0..head_dim / 2)
        .map(|i| 1.0 / config.rope_theta.powf((2 * i) as f64 / head_dim as f64))
        .collect();
    let Some(scaling) = &config.rope_scaling else {
        return base;
    };
    match scaling.rope_type.as_str() {
        "linear" => base.iter().map(|f| f / scaling.factor).collect(),
        "llama3" => {
            let low = scaling.low_freq_factor.unwrap_or(1.0);
            let high = scaling.high_freq_factor.unwrap_or(4.0);
            let old_context = scaling.original_max_position_embeddings.unwrap_or(8192) as f64;
            let low_wavelength = old_context / low;
            let high_wavelength = old_context / high;
            base.iter()
                .map(|&frequency| {
                    let wavelength = 2.0 * std::f64::consts::PI / frequency;
                    if wavelength < high_wavelength {
                        frequency
                    } else if wavelength > low_wavelength {
                        frequency / scaling.factor
                    } else {
                        let smooth = (old_context / wavelength - low) / (high - low);
                        (1.0 - smooth) * frequency / scaling.factor + smooth * frequency
                    }
                })
                .collect()
        }
        _ => base,
    }
}

impl RotaryTables {
    pub fn new(config: &ModelConfig, device: &Device) -> candle_core::Result<Self> {
        let frequencies = inverse_frequencies(config);
        let positions = config.max_position_embeddings;
        let half = frequencies.len();
        let mut cos = Vec::with_capacity(positions * half * 2);
        let mut sin = Vec::with_capacity(positions * half * 2);
        for position in 0..positions {
            // Both halves repeat the same angles: HF's layout rotates (x[i], x[i + half]).
            for _ in 0..2 {
                for frequency in &frequencies {
                    // f32 angle, as transformers computes it, keeps parity at long positions.
                    let angle = (position as f32) * (*frequency as f32);
                    cos.push(angle.cos());
                    sin.push(angle.sin());
                }
            }
        }
        Ok(Self {
            cos: Tensor::from_vec(cos, (positions, half * 2), device)?,
            sin: Tensor::from_vec(sin, (positions, half * 2), device)?,
        })
    }

    pub fn max_positions(&self) -> usize {
        self.cos.dim(0).unwrap_or(0)
    }

    /// cos/sin shaped to broadcast over `[batch, heads, tokens, head_dim]`: positions
    /// `0..tokens` for every row, or one position per token when sequences are packed.
    pub fn select(
        &self,
        tokens: usize,
        positions: Option<&Tensor>,
    ) -> candle_core::Result<(Tensor, Tensor)> {
        match positions {
            None => {
                let cos = self.cos.narrow(0, 0, tokens)?.unsqueeze(0)?.unsqueeze(0)?;
                let sin = self.sin.narrow(0, 0, tokens)?.unsqueeze(0)?.unsqueeze(0)?;
                Ok((cos, sin))
            }
            Some(positions) => {
                let (batch, tokens) = positions.dims2()?;
                let flat = positions.flatten_all()?;
                let width = self.cos.dim(1)?;
                let cos = self
                    .cos
                    .index_select(&flat, 0)?
                    .reshape((batch, 1, tokens, width))?;
                let sin = self
                    .sin
                    .index_select(&flat, 0)?
                    .reshape((batch, 1, tokens, width))?;
                Ok((cos, sin))
            }
        }
    }
}

/// `x·cos + rotate_half(x)·sin` from candle primitives: the reference the fused head split is
/// tested against, and the path off the CPU.
pub fn apply_rotary(input: &Tensor, cos: &Tensor, sin: &Tensor) -> candle_core::Result<Tensor> {
    input.broadcast_mul(cos)? + rotate_half(input)?.broadcast_mul(sin)?
}

/// `[x1, x2] → [−x2, x1]` over the last axis.
fn rotate_half(input: &Tensor) -> candle_core::Result<Tensor> {
    let half = input.dim(D::Minus1)? / 2;
    let first = input.narrow(D::Minus1, 0, half)?;
    let second = input.narrow(D::Minus1, half, half)?;
    Tensor::cat(&[&second.neg()?, &first], D::Minus1)
}

/// Reorders q/k rows from GGUF's interleaved pairs (0,1),(2,3)… to HF's halves (0,half),(1,half+1)…,
/// undoing the permutation llama.cpp's converter applies.
pub fn interleaved_to_half_split(weight: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
    let (rows, columns) = weight.dims2()?;
    let head_dim = rows / heads;
    weight
        .reshape((heads, head_dim / 2, 2, columns))?
        .transpose(1, 2)?
        .contiguous()?
        .reshape((rows, columns))
}

pub(crate) fn ensure_f32(tensor: Tensor) -> candle_core::Result<Tensor> {
    if tensor.dtype() == DType::F32 {
        Ok(tensor)
    } else {
        tensor.to_dtype(DType::F32)
    }
}
