//! The fused ops' meaning in candle's own differentiable operations, for tensors the fused ops
//! cannot take: their kernels are written for f32 on the CPU only, so a CUDA tensor (or another
//! dtype) runs through these instead, on whatever device holds it.

use candle_core::backend::{BackendDevice, BackendStorage};
use candle_core::op::BackpropOp;
use candle_core::{CudaStorage, D, DType, Layout, Shape, Storage, Tensor};

/// Whether a tensor must take the composed path: the fused kernels read f32 CPU storage only.
pub fn needed_for(tensor: &Tensor) -> bool {
    !tensor.device().is_cpu() || tensor.dtype() != DType::F32
}

/// Softmax over the last axis; the maximum is a constant shift, so it carries no gradient.
pub fn softmax_last(input: &Tensor) -> candle_core::Result<Tensor> {
    let max = input.max_keepdim(D::Minus1)?.detach();
    let exponentials = input.broadcast_sub(&max)?.exp()?;
    let total = exponentials.sum_keepdim(D::Minus1)?;
    exponentials.broadcast_div(&total)
}

/// Softmax of `scores + mask`, the mask broadcast over heads (and batch when it has one row).
pub fn masked_softmax(scores: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    softmax_last(&scores.broadcast_add(mask)?)
}

/// `silu(gate) · up`.
pub fn swiglu(gate: &Tensor, up: &Tensor) -> candle_core::Result<Tensor> {
    gate.silu()? * up
}

/// Cross-entropy of each row of `logits [rows, vocab]` against `targets [rows]`: `[rows]`.
pub fn row_cross_entropy(logits: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
    let max = logits.max_keepdim(D::Minus1)?.detach();
    let shifted = logits.broadcast_sub(&max)?;
    let log_total = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    let picked = shifted.gather(&targets.unsqueeze(1)?, 1)?;
    (log_total - picked)?.squeeze(1)
}

/// Runs `map`, a function of candle operations, on a CUDA op's input storage: how an op whose
/// forward is itself made of candle operations (and whose backward is its own) runs on a GPU.
/// The input and output are copied once each, because a tensor must own its storage; that is
/// far cheaper than the gradient of a constant that the plain composition would compute.
pub fn map_cuda_storage(
    map: &dyn Fn(&Tensor) -> candle_core::Result<Tensor>,
    storage: &CudaStorage,
    layout: &Layout,
) -> candle_core::Result<(CudaStorage, Shape)> {
    let mut owned = storage
        .device()
        .zeros_impl(layout.shape(), storage.dtype())?;
    storage.copy_strided_src(&mut owned, 0, layout)?;
    let input = Tensor::from_storage(
        Storage::Cuda(owned),
        layout.shape().clone(),
        BackpropOp::none(),
        false,
    );
    let output = map(&input)?;
    let (output_storage, output_layout) = output.storage_and_layout();
    let Storage::Cuda(output_storage) = &*output_storage else {
        candle_core::bail!("a map of a CUDA tensor left the GPU")
    };
    let mut result = output_storage
        .device()
        .zeros_impl(output_layout.shape(), output_storage.dtype())?;
    output_storage.copy_strided_src(&mut result, 0, output_layout)?;
    Ok((result, output_layout.shape().clone()))
}

#[cfg(test)]
mod tests {
    //! What CUDA runs must mean what the CPU's fused ops mean: same values, same gradients.

    use candle_core::{Device, Tensor, Var};

    type Op = fn(&Tensor) -> candle_core::Result<Tensor>;

    fn mask() -> Tensor {
        let values: Vec<f32> = (0..16)
            .map(|i| {
                if i % 4 <= i / 4 {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            })
            .collect();
        Tensor::from_vec(values, (1, 1, 4, 4), &Device::Cpu).unwrap()
    }

    fn targets() -> Tensor {
        Tensor::from_vec(vec![3u32, 0, 7, 5, 1, 2, 6, 4], 8, &Device::Cpu).unwrap()
    }

    fn halves(input: &Tensor) -> (Tensor, Tensor) {
        let half = input.dim(1).unwrap() / 2;
        (
            input.narrow(1, 0, half).unwrap(),
            input.narrow(1, half, half).unwrap(),
        )
    }

    /// The name, the shape of the input, the fused op and the composed op.
    type Case = (&'static str, (usize, usize, usize, usize), Op, Op);

    fn cases() -> Vec<Case> {
        vec![
            (
                "softmax",
                (2, 3, 4, 4),
                super::super::softmax_last,
                super::softmax_last,
            ),
            (
                "masked softmax",
                (2, 3, 4, 4),
                |x| super::super::masked_softmax(x, &mask()),
                |x| super::masked_softmax(x, &mask()),
            ),
            (
                "swiglu",
                (1, 1, 8, 16),
                |x| {
                    let (gate, up) = halves(&x.reshape((8, 16))?);
                    super::super::swiglu(&gate, &up)
                },
                |x| {
                    let (gate, up) = halves(&x.reshape((8, 16))?);
                    super::swiglu(&gate, &up)
                },
            ),
            (
                "cross-entropy",
                (1, 1, 8, 16),
                |x| super::super::cross_entropy(&x.reshape((8, 16))?, &targets()),
                |x| {
                    let per_row = super::row_cross_entropy(&x.reshape((8, 16))?, &targets())?;
                    per_row.sum_all()? / 8.0
                },
            ),
        ]
    }

    fn largest_difference(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    #[test]
    fn composed_ops_match_the_fused_ones_in_values_and_gradients() {
        for (name, shape, fused, composed) in cases() {
            let count = shape.0 * shape.1 * shape.2 * shape.3;
            let values: Vec<f32> = (0..count)
                .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.21)
                .collect();
            let input = Var::from_vec(values, shape, &Device::Cpu).unwrap();
            let outputs = [fused, composed].map(|op| op(input.as_tensor()).unwrap());
            assert!(
                largest_difference(&outputs[0], &outputs[1]) < 1e-5,
                "{name}: values differ"
            );
            // A weighted sum, so every output element sends back a different gradient.
            let weights: Vec<f32> = (0..outputs[0].elem_count())
                .map(|i| (i % 5) as f32 - 2.0)
                .collect();
            let weights = Tensor::from_vec(weights, outputs[0].shape(), &Device::Cpu).unwrap();
            let gradients = outputs.map(|output| {
                let loss = (output * &weights).unwrap().sum_all().unwrap();
                let store = loss.backward().unwrap();
                store.get(input.as_tensor()).unwrap().clone()
            });
            let difference = largest_difference(&gradients[0], &gradients[1]);
            assert!(
                difference < 1e-5,
                "{name}: gradients differ by {difference}"
            );
            assert!(
                gradients[0]
                    .abs()
                    .unwrap()
                    .sum_all()
                    .unwrap()
                    .to_scalar::<f32>()
                    .unwrap()
                    > 0.0,
                "{name}: no gradient flowed"
            );
        }
    }

    #[test]
    fn only_f32_on_the_cpu_takes_the_fused_path() {
        let values = Tensor::zeros(4, candle_core::DType::F32, &Device::Cpu).unwrap();
        assert!(!super::needed_for(&values));
        assert!(super::needed_for(
            &values.to_dtype(candle_core::DType::F64).unwrap()
        ));
    }
}
