//! SwiGLU `silu(gate) · up` as one op with an analytic backward: composed, it costs about ten
//! single-threaded passes over the widest activations of every layer; fused, one pass each way,
//! split over cores.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

use super::composed;
use super::exp::exp;
use super::kernel::{
    fill_row_pairs, for_chunks, is_cpu_f32, storage_values, tensor_from, with_values,
};

struct SwiGlu;

/// Elements per row of the backward pass's work split.
const CHUNK: usize = 4096;

fn sigmoid(value: f32) -> f32 {
    1.0 / (1.0 + exp(-value))
}

impl CustomOp2 for SwiGlu {
    fn name(&self) -> &'static str {
        "swiglu"
    }

    fn cpu_fwd(
        &self,
        gate_storage: &CpuStorage,
        gate_layout: &Layout,
        up_storage: &CpuStorage,
        up_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let gate = storage_values(self.name(), gate_storage, gate_layout)?;
        let up = storage_values(self.name(), up_storage, up_layout)?;
        if gate.len() != up.len() {
            candle_core::bail!("swiglu inputs differ in size")
        }
        let mut output = vec![0.0f32; gate.len()];
        for_chunks(&mut output, |start, piece| {
            for (offset, value) in piece.iter_mut().enumerate() {
                let g = gate[start + offset];
                *value = g * sigmoid(g) * up[start + offset];
            }
        });
        Ok((CpuStorage::F32(output), gate_layout.shape().clone()))
    }

    fn bwd(
        &self,
        gate: &Tensor,
        up: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        with_values(self.name(), gate, |gate_values| {
            with_values(self.name(), up, |up_values| {
                with_values(self.name(), gradient, |gradient_values| {
                    let mut gate_gradient = vec![0.0f32; gate_values.len()];
                    let mut up_gradient = vec![0.0f32; gate_values.len()];
                    // d/dg silu(g) = s·(1 + g·(1 − s)), s = sigmoid(g)
                    fill_row_pairs(
                        &mut gate_gradient,
                        CHUNK,
                        &mut up_gradient,
                        CHUNK,
                        |row, gate_out, up_out| {
                            let start = row * CHUNK;
                            for (offset, (gate_out, up_out)) in
                                gate_out.iter_mut().zip(up_out.iter_mut()).enumerate()
                            {
                                let index = start + offset;
                                let g = gate_values[index];
                                let s = sigmoid(g);
                                let incoming = gradient_values[index];
                                *gate_out = incoming * up_values[index] * s * (1.0 + g * (1.0 - s));
                                *up_out = incoming * g * s;
                            }
                        },
                    );
                    Ok((
                        Some(tensor_from(gate_gradient, gate.shape())?),
                        Some(tensor_from(up_gradient, up.shape())?),
                    ))
                })
            })
        })
    }
}

/// `silu(gate) · up`; the fused op on CPU f32, composed operations elsewhere.
pub fn swiglu(gate: &Tensor, up: &Tensor) -> candle_core::Result<Tensor> {
    if is_cpu_f32(gate) && is_cpu_f32(up) {
        return gate.contiguous()?.apply_op2(&up.contiguous()?, SwiGlu);
    }
    composed::swiglu(gate, up)
}
