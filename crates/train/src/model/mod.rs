//! A llama-family decoder built only from differentiable candle operations.

pub mod composed;
mod cross_entropy;
pub mod exp;
mod heads;
pub(crate) mod kernel;
mod linear;
mod matmul;
mod projection;
mod rms_norm;
mod rope;
mod skinny;
mod softmax;
mod swiglu;

use std::collections::HashMap;

use candle_core::{Device, Tensor, Var};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use cross_entropy::projected_cross_entropy;
pub use heads::{HeadLayout, HeadShape, Rotation, merge_heads, split_heads};
pub use linear::{Linear, LoraAdapter, Weight};
pub use matmul::matmul;
pub use rms_norm::rms_norm;
pub use rope::{RotaryTables, apply_rotary, interleaved_to_half_split, inverse_frequencies};
pub use softmax::attention_probabilities;
pub use swiglu::swiglu;

use crate::config::ModelConfig;
use rope::ensure_f32;

/// The projections LoRA may adapt, by their Hugging Face names.
pub const LORA_TARGETS: [&str; 7] = [
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoraSettings {
    pub rank: usize,
    pub alpha: f64,
    pub dropout: f32,
    pub target_modules: Vec<String>,
}

/// Which parameters training updates.
#[derive(Debug, Clone, PartialEq)]
pub enum Trainable {
    Nothing,
    Everything,
    Lora(LoraSettings),
}

#[derive(Debug, Clone)]
struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
}

#[derive(Debug, Clone)]
struct Mlp {
    gate_proj: Linear,
    up_proj: Linear,
    down_proj: Linear,
}

#[derive(Debug, Clone)]
struct DecoderLayer {
    input_layernorm: Weight,
    attention: Attention,
    post_attention_layernorm: Weight,
    mlp: Mlp,
}

/// What every layer's attention shares within one forward pass.
struct AttentionGeometry {
    batch: usize,
    tokens: usize,
    rotation: std::sync::Arc<Rotation>,
    mask: Tensor,
}

/// What the forward pass needs besides token ids: packed rows carry their own positions and
/// a block-diagonal mask; `rng` drives dropout and is present only while training.
#[derive(Debug, Default)]
pub struct ForwardInputs<'a> {
    pub positions: Option<&'a Tensor>,
    pub segments: Option<&'a Tensor>,
    pub rng: Option<&'a mut ChaCha8Rng>,
}

#[derive(Debug, Clone)]
pub struct Llama {
    config: ModelConfig,
    embed_tokens: Weight,
    layers: Vec<DecoderLayer>,
    norm: Weight,
    lm_head: Linear,
    rotary: RotaryTables,
    device: Device,
}

/// Takes tensors out of a loaded checkpoint by name, reporting the first one missing.
struct WeightSource<'a> {
    tensors: &'a mut HashMap<String, Tensor>,
}

impl WeightSource<'_> {
    fn take(&mut self, name: &str) -> Result<Tensor, String> {
        let tensor = self.tensors.remove(name).ok_or_else(|| name.to_string())?;
        ensure_f32(tensor).map_err(|error| format!("{name}: {error}"))
    }
}

/// Why a model could not be built from a set of tensors.
#[derive(Debug)]
pub enum BuildError {
    MissingTensor(String),
    Tensor(candle_core::Error),
}

impl From<candle_core::Error> for BuildError {
    fn from(error: candle_core::Error) -> Self {
        BuildError::Tensor(error)
    }
}

impl Llama {
    /// Builds the model from Hugging Face-named tensors; LoRA A matrices are drawn from `rng`.
    pub fn from_tensors(
        config: &ModelConfig,
        mut tensors: HashMap<String, Tensor>,
        trainable: &Trainable,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Self, BuildError> {
        let mut source = WeightSource {
            tensors: &mut tensors,
        };
        let full = matches!(trainable, Trainable::Everything);
        let lora = match trainable {
            Trainable::Lora(settings) => Some(settings),
            _ => None,
        };
        let mut take = |name: &str| -> Result<Weight, BuildError> {
            let tensor = source.take(name).map_err(BuildError::MissingTensor)?;
            Ok(Weight::new(tensor.to_device(device)?, full)?)
        };
        let embed_tokens = take("model.embed_tokens.weight")?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        let linear = |take: &mut dyn FnMut(&str) -> Result<Weight, BuildError>,
                      prefix: &str,
                      module: &str,
                      bias: bool,
                      rng: &mut ChaCha8Rng|
         -> Result<Linear, BuildError> {
            let weight = take(&format!("{prefix}.{module}.weight"))?;
            let bias = if bias {
                Some(take(&format!("{prefix}.{module}.bias"))?)
            } else {
                None
            };
            let lora = match lora {
                Some(settings)
                    if settings
                        .target_modules
                        .iter()
                        .any(|target| target == module) =>
                {
                    let (out_features, in_features) = weight.tensor().dims2()?;
                    Some(LoraAdapter::new(
                        in_features,
                        out_features,
                        settings.rank,
                        settings.alpha,
                        settings.dropout,
                        rng,
                        device,
                    )?)
                }
                _ => None,
            };
            Ok(Linear { weight, bias, lora })
        };
        for index in 0..config.num_hidden_layers {
            let prefix = format!("model.layers.{index}");
            let attention_prefix = format!("{prefix}.self_attn");
            let mlp_prefix = format!("{prefix}.mlp");
            let attention_bias = config.attention_bias;
            let input_layernorm = take(&format!("{prefix}.input_layernorm.weight"))?;
            let attention = Attention {
                q_proj: linear(&mut take, &attention_prefix, "q_proj", attention_bias, rng)?,
                k_proj: linear(&mut take, &attention_prefix, "k_proj", attention_bias, rng)?,
                v_proj: linear(&mut take, &attention_prefix, "v_proj", attention_bias, rng)?,
                // qwen2 has biases on q/k/v only; llama's attention_bias covers o_proj too.
                o_proj: linear(
                    &mut take,
                    &attention_prefix,
                    "o_proj",
                    attention_bias && config.model_type != "qwen2",
                    rng,
                )?,
            };
            let post_attention_layernorm =
                take(&format!("{prefix}.post_attention_layernorm.weight"))?;
            let mlp = Mlp {
                gate_proj: linear(&mut take, &mlp_prefix, "gate_proj", config.mlp_bias, rng)?,
                up_proj: linear(&mut take, &mlp_prefix, "up_proj", config.mlp_bias, rng)?,
                down_proj: linear(&mut take, &mlp_prefix, "down_proj", config.mlp_bias, rng)?,
            };
            layers.push(DecoderLayer {
                input_layernorm,
                attention,
                post_attention_layernorm,
                mlp,
            });
        }
        let norm = take("model.norm.weight")?;
        let lm_head_weight = if config.tie_word_embeddings {
            embed_tokens.clone()
        } else {
            take("lm_head.weight")?
        };
        let lm_head = Linear {
            weight: lm_head_weight,
            bias: None,
            lora: None,
        };
        Ok(Self {
            config: config.clone(),
            embed_tokens,
            layers,
            norm,
            lm_head,
            rotary: RotaryTables::new(config, device)?,
            device: device.clone(),
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Final hidden states `[batch·tokens, hidden]` for `[batch, tokens]` ids.
    pub fn hidden_states(
        &self,
        input_ids: &Tensor,
        mut inputs: ForwardInputs<'_>,
    ) -> candle_core::Result<Tensor> {
        let (batch, tokens) = input_ids.dims2()?;
        if tokens > self.rotary.max_positions() {
            candle_core::bail!(
                "sequence of {tokens} tokens exceeds max_position_embeddings {}",
                self.rotary.max_positions()
            )
        }
        let (cos, sin) = self.rotary.select(tokens, inputs.positions)?;
        let mask = attention_mask(batch, tokens, inputs.segments, &self.device)?;
        let geometry = AttentionGeometry {
            batch,
            tokens,
            rotation: Rotation::new(&cos, &sin)?,
            mask,
        };
        let mut hidden = self
            .embed_tokens
            .tensor()
            .index_select(&input_ids.flatten_all()?, 0)?;
        let epsilon = self.config.rms_norm_eps;
        for layer in &self.layers {
            let normed = rms_norm(&hidden, &layer.input_layernorm, epsilon)?;
            let attended = self.attention(&layer.attention, &normed, &geometry, &mut inputs.rng)?;
            hidden = (hidden + attended)?;
            let normed = rms_norm(&hidden, &layer.post_attention_layernorm, epsilon)?;
            let mlp = &layer.mlp;
            let gate = mlp.gate_proj.forward(&normed, inputs.rng.as_deref_mut())?;
            let up = mlp.up_proj.forward(&normed, inputs.rng.as_deref_mut())?;
            let activated = swiglu(&gate, &up)?;
            hidden = (hidden
                + mlp
                    .down_proj
                    .forward(&activated, inputs.rng.as_deref_mut())?)?;
        }
        rms_norm(&hidden, &self.norm, epsilon)
    }

    fn attention(
        &self,
        attention: &Attention,
        input: &Tensor,
        geometry: &AttentionGeometry,
        rng: &mut Option<&mut ChaCha8Rng>,
    ) -> candle_core::Result<Tensor> {
        let query = attention.q_proj.forward(input, rng.as_deref_mut())?;
        let key = attention.k_proj.forward(input, rng.as_deref_mut())?;
        let value = attention.v_proj.forward(input, rng.as_deref_mut())?;
        let context = self.attend(&query, &key, &value, geometry)?;
        attention.o_proj.forward(&context, rng.as_deref_mut())
    }

    /// Heads moved (and rotated, and the query scaled) by one op each, keys laid out ready to
    /// multiply, grouped query heads sharing one batched matmul per K/V head; each op falls back
    /// to its composition off the CPU.
    fn attend(
        &self,
        query: &Tensor,
        key: &Tensor,
        value: &Tensor,
        geometry: &AttentionGeometry,
    ) -> candle_core::Result<Tensor> {
        let heads = self.config.num_attention_heads;
        let kv_heads = self.config.num_key_value_heads();
        let head_dim = self.config.head_dim();
        let query_shape = HeadShape {
            batch: geometry.batch,
            tokens: geometry.tokens,
            heads,
            head_dim,
            group: heads / kv_heads,
        };
        let kv_shape = HeadShape {
            heads: kv_heads,
            group: 1,
            ..query_shape
        };
        let scale = 1.0 / (head_dim as f32).sqrt();
        let query = split_heads(
            query,
            query_shape,
            HeadLayout::TokensByDim,
            Some(&geometry.rotation),
            scale,
        )?;
        let key = split_heads(
            key,
            kv_shape,
            HeadLayout::DimByTokens,
            Some(&geometry.rotation),
            1.0,
        )?;
        let value = split_heads(value, kv_shape, HeadLayout::TokensByDim, None, 1.0)?;
        let probabilities = attention_probabilities(&query, &key, &geometry.mask, heads)?;
        merge_heads(&matmul(&probabilities, &value)?, query_shape)
    }

    /// Mean cross-entropy of the next-token predictions from `hidden [rows, dim]`.
    pub fn loss(&self, hidden: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
        projected_cross_entropy(hidden, &self.lm_head.weight, targets)
    }

    /// Logits `[rows, vocab]` for selected rows of the hidden states.
    pub fn logits(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        self.lm_head.forward(hidden, None)
    }

    /// Logits `[batch, tokens, vocab]`, without dropout: what inference and parity checks use.
    pub fn forward(&self, input_ids: &Tensor) -> candle_core::Result<Tensor> {
        let (batch, tokens) = input_ids.dims2()?;
        let hidden = self.hidden_states(input_ids, ForwardInputs::default())?;
        self.logits(&hidden)?
            .reshape((batch, tokens, self.config.vocab_size))
    }

    /// Trainable variables by name: Hugging Face names for full fine-tuning, PEFT's for LoRA.
    pub fn trainable_variables(&self) -> Vec<(String, Var)> {
        let mut variables = Vec::new();
        let push = |variables: &mut Vec<(String, Var)>, name: String, weight: &Weight| {
            if let Some(var) = weight.var() {
                variables.push((name, var.clone()));
            }
        };
        push(
            &mut variables,
            "model.embed_tokens.weight".into(),
            &self.embed_tokens,
        );
        for (index, layer) in self.layers.iter().enumerate() {
            let prefix = format!("model.layers.{index}");
            push(
                &mut variables,
                format!("{prefix}.input_layernorm.weight"),
                &layer.input_layernorm,
            );
            push(
                &mut variables,
                format!("{prefix}.post_attention_layernorm.weight"),
                &layer.post_attention_layernorm,
            );
            for (module, linear) in layer.projections() {
                let name = format!("{prefix}.{module}");
                push(&mut variables, format!("{name}.weight"), &linear.weight);
                if let Some(bias) = &linear.bias {
                    push(&mut variables, format!("{name}.bias"), bias);
                }
                if let Some(lora) = &linear.lora {
                    variables.push((
                        format!("base_model.model.{name}.lora_A.weight"),
                        lora.a.clone(),
                    ));
                    variables.push((
                        format!("base_model.model.{name}.lora_B.weight"),
                        lora.b.clone(),
                    ));
                }
            }
        }
        push(&mut variables, "model.norm.weight".into(), &self.norm);
        if !self.config.tie_word_embeddings {
            push(
                &mut variables,
                "lm_head.weight".into(),
                &self.lm_head.weight,
            );
        }
        variables
    }

    /// Every weight in Hugging Face names, LoRA updates merged in; tied heads are not repeated.
    pub fn merged_tensors(&self) -> candle_core::Result<Vec<(String, Tensor)>> {
        let mut tensors = vec![(
            "model.embed_tokens.weight".to_string(),
            self.embed_tokens.tensor().clone(),
        )];
        for (index, layer) in self.layers.iter().enumerate() {
            let prefix = format!("model.layers.{index}");
            tensors.push((
                format!("{prefix}.input_layernorm.weight"),
                layer.input_layernorm.tensor().clone(),
            ));
            tensors.push((
                format!("{prefix}.post_attention_layernorm.weight"),
                layer.post_attention_layernorm.tensor().clone(),
            ));
            for (module, linear) in layer.projections() {
                let weight = match &linear.lora {
                    Some(lora) => (linear.weight.tensor() + lora.delta_weight()?)?,
                    None => linear.weight.tensor().clone(),
                };
                tensors.push((format!("{prefix}.{module}.weight"), weight));
                if let Some(bias) = &linear.bias {
                    tensors.push((format!("{prefix}.{module}.bias"), bias.tensor().clone()));
                }
            }
        }
        tensors.push(("model.norm.weight".into(), self.norm.tensor().clone()));
        if !self.config.tie_word_embeddings {
            tensors.push((
                "lm_head.weight".into(),
                self.lm_head.weight.tensor().clone(),
            ));
        }
        Ok(tensors)
    }

    /// The LoRA A/B matrices in PEFT's names (empty for other methods).
    pub fn adapter_tensors(&self) -> Vec<(String, Tensor)> {
        self.trainable_variables()
            .into_iter()
            .filter(|(name, _)| name.contains(".lora_"))
            .map(|(name, var)| (name, var.as_tensor().clone()))
            .collect()
    }
}

impl DecoderLayer {
    fn projections(&self) -> [(&'static str, &Linear); 7] {
        [
            ("self_attn.q_proj", &self.attention.q_proj),
            ("self_attn.k_proj", &self.attention.k_proj),
            ("self_attn.v_proj", &self.attention.v_proj),
            ("self_attn.o_proj", &self.attention.o_proj),
            ("mlp.gate_proj", &self.mlp.gate_proj),
            ("mlp.up_proj", &self.mlp.up_proj),
            ("mlp.down_proj", &self.mlp.down_proj),
        ]
    }
}

/// Causal mask `[batch or 1, 1, tokens, tokens]`, block-diagonal when rows are packed.
fn attention_mask(
    batch: usize,
    tokens: usize,
    segments: Option<&Tensor>,
    device: &Device,
) -> candle_core::Result<Tensor> {
    match segments {
        None => {
            let values: Vec<f32> = (0..tokens)
                .flat_map(|row| {
                    (0..tokens).map(move |column| {
                        if column <= row {
                            0.0
                        } else {
                            f32::NEG_INFINITY
                        }
                    })
                })
                .collect();
            Tensor::from_vec(values, (1, 1, tokens, tokens), device)
        }
        Some(segments) => {
            let segments = segments.to_vec2::<u32>()?;
            let mut values = Vec::with_capacity(batch * tokens * tokens);
            for row_segments in &segments {
                for row in 0..tokens {
                    for column in 0..tokens {
                        let visible = column <= row && row_segments[column] == row_segments[row];
                        values.push(if visible { 0.0 } else { f32::NEG_INFINITY });
                    }
                }
            }
            Tensor::from_vec(values, (batch, 1, tokens, tokens), device)
        }
    }
}
