//! Linear layers whose frozen weights cost no gradient, optionally carrying a LoRA adapter.

use candle_core::{DType, Device, Tensor, Var};

use super::kernel::is_cpu_f32;
use super::matmul::matmul;
use super::projection::{AdaptedProjection, Projection};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A parameter: trainable ones are `Var`s the optimizer updates; frozen ones are plain tensors,
/// so candle's backward pass neither tracks nor accumulates anything for them.
#[derive(Debug, Clone)]
pub enum Weight {
    Frozen(Tensor),
    Trainable(Var),
}

impl Weight {
    pub fn new(tensor: Tensor, trainable: bool) -> candle_core::Result<Self> {
        Ok(if trainable {
            Weight::Trainable(Var::from_tensor(&tensor)?)
        } else {
            Weight::Frozen(tensor)
        })
    }

    pub fn tensor(&self) -> &Tensor {
        match self {
            Weight::Frozen(tensor) => tensor,
            Weight::Trainable(var) => var.as_tensor(),
        }
    }

    pub fn var(&self) -> Option<&Var> {
        match self {
            Weight::Frozen(_) => None,
            Weight::Trainable(var) => Some(var),
        }
    }
}

/// A low-rank update `scale · B·A` added to a frozen projection, as PEFT defines it.
#[derive(Debug, Clone)]
pub struct LoraAdapter {
    pub a: Var,
    pub b: Var,
    pub scale: f64,
    pub dropout: f32,
}

impl LoraAdapter {
    /// A drawn like PEFT's kaiming-uniform (bound 1/√in), B zero, so training starts at the base model.
    pub fn new(
        in_features: usize,
        out_features: usize,
        rank: usize,
        alpha: f64,
        dropout: f32,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let bound = 1.0 / (in_features as f32).sqrt();
        let values: Vec<f32> = (0..rank * in_features)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        let a = Var::from_tensor(&Tensor::from_vec(values, (rank, in_features), device)?)?;
        let b = Var::zeros((out_features, rank), DType::F32, device)?;
        Ok(Self {
            a,
            b,
            scale: alpha / rank as f64,
            dropout,
        })
    }

    pub fn delta_weight(&self) -> candle_core::Result<Tensor> {
        matmul(self.b.as_tensor(), self.a.as_tensor())?.affine(self.scale, 0.0)
    }
}

#[derive(Debug, Clone)]
pub struct Linear {
    pub weight: Weight,
    pub bias: Option<Weight>,
    pub lora: Option<LoraAdapter>,
}

impl Linear {
    /// `input` is `[tokens, in_features]`; `rng` is present only while training (dropout).
    pub fn forward(
        &self,
        input: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> candle_core::Result<Tensor> {
        let dropout_active = rng.is_some() && self.lora.as_ref().is_some_and(|l| l.dropout > 0.0);
        let fused = is_cpu_f32(input) && is_cpu_f32(self.weight.tensor()) && !dropout_active;
        match (&self.bias, &self.lora) {
            (None | Some(Weight::Frozen(_)), None) if fused => {
                let bias = self.bias.as_ref().map(|bias| bias.tensor().clone());
                input.contiguous()?.apply_op2(
                    &self.weight.tensor().contiguous()?,
                    Projection {
                        weight_gradient: self.weight.var().is_some(),
                        bias,
                    },
                )
            }
            (None | Some(Weight::Frozen(_)), Some(lora)) if fused => input.contiguous()?.apply_op3(
                lora.a.as_tensor(),
                lora.b.as_tensor(),
                AdaptedProjection::new(
                    self.weight.tensor().clone(),
                    self.bias.as_ref().map(|bias| bias.tensor().clone()),
                    lora.scale,
                ),
            ),
            _ => self.forward_composed(input, rng),
        }
    }

    /// The same projection from candle ops: with LoRA dropout, and off the CPU.
    fn forward_composed(
        &self,
        input: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> candle_core::Result<Tensor> {
        let mut output = matmul(input, &self.weight.tensor().t()?)?;
        if let Some(bias) = &self.bias {
            output = output.broadcast_add(bias.tensor())?;
        }
        if let Some(lora) = &self.lora {
            let dropped = match rng {
                Some(rng) if lora.dropout > 0.0 => dropout(input, lora.dropout, rng)?,
                _ => input.clone(),
            };
            // The scale goes on the rank-sized product, not on an output-sized one.
            let low_rank = matmul(&dropped, &lora.a.as_tensor().t()?)?.affine(lora.scale, 0.0)?;
            let low_rank = matmul(&low_rank, &lora.b.as_tensor().t()?)?;
            output = (output + low_rank)?;
        }
        Ok(output)
    }
}

/// Inverted dropout with our own seeded generator (candle's CPU generator cannot be seeded).
pub fn dropout(
    input: &Tensor,
    probability: f32,
    rng: &mut ChaCha8Rng,
) -> candle_core::Result<Tensor> {
    let keep_scale = 1.0 / (1.0 - probability);
    let mask: Vec<f32> = (0..input.elem_count())
        .map(|_| {
            if rng.random::<f32>() < probability {
                0.0
            } else {
                keep_scale
            }
        })
        .collect();
    let mask = Tensor::from_vec(mask, input.shape(), input.device())?;
    input.mul(&mask)
}
