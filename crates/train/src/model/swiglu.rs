//! SwiGLU `silu(gate) · up` as one op with an analytic backward: composed, it costs about ten
//! single-threaded passes over the widest activations of every layer; fused, four, split over cores.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

use super::composed;

struct SwiGlu;

fn sigmoid(value: f32) -> f32 {
    1.0 / (1.0 + (-value).exp())
}

fn contiguous<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("swiglu expects f32 inputs")
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("swiglu expects contiguous inputs")
    };
    Ok(&data[start..end])
}

/// Runs `work(chunk_start, output_chunk)` over the output split across the available cores.
fn parallel_fill(output: &mut [f32], work: impl Fn(usize, &mut [f32]) + Sync) {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = output.len().div_ceil(threads).max(4096);
    std::thread::scope(|scope| {
        for (index, piece) in output.chunks_mut(chunk).enumerate() {
            let work = &work;
            scope.spawn(move || work(index * chunk, piece));
        }
    });
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
        let gate = contiguous(gate_storage, gate_layout)?;
        let up = contiguous(up_storage, up_layout)?;
        if gate.len() != up.len() {
            candle_core::bail!("swiglu inputs differ in size")
        }
        let mut output = vec![0.0f32; gate.len()];
        parallel_fill(&mut output, |start, piece| {
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
        let gate_values = gate.flatten_all()?.to_vec1::<f32>()?;
        let up_values = up.flatten_all()?.to_vec1::<f32>()?;
        let gradient_values = gradient.flatten_all()?.to_vec1::<f32>()?;
        let mut gate_gradient = vec![0.0f32; gate_values.len()];
        let mut up_gradient = vec![0.0f32; gate_values.len()];
        // d/dg silu(g) = s·(1 + g·(1 − s)), s = sigmoid(g)
        parallel_fill(&mut gate_gradient, |start, piece| {
            for (offset, value) in piece.iter_mut().enumerate() {
                let index = start + offset;
                let g = gate_values[index];
                let s = sigmoid(g);
                *value = gradient_values[index] * up_values[index] * s * (1.0 + g * (1.0 - s));
            }
        });
        parallel_fill(&mut up_gradient, |start, piece| {
            for (offset, value) in piece.iter_mut().enumerate() {
                let g = gate_values[start + offset];
                *value = gradient_values[start + offset] * g * sigmoid(g);
            }
        });
        Ok((
            Some(Tensor::from_vec(
                gate_gradient,
                gate.shape(),
                gate.device(),
            )?),
            Some(Tensor::from_vec(up_gradient, up.shape(), up.device())?),
        ))
    }
}

/// `silu(gate) · up`; the fused op on CPU f32, composed operations elsewhere.
pub fn swiglu(gate: &Tensor, up: &Tensor) -> candle_core::Result<Tensor> {
    if composed::needed_for(gate) || composed::needed_for(up) {
        return composed::swiglu(gate, up);
    }
    gate.contiguous()?.apply_op2(&up.contiguous()?, SwiGlu)
}
