//! Operations linear in their input with constant coefficients (frozen weights, rotary tables).
//!
//! candle's backward computes a gradient for both operands of every binary op, even a constant
//! one, and allocates a zero tensor for it; wrapping such an operation here runs the forward
//! without a graph and gives backward only the input's gradient, through the transposed map.

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp1, Device, Layout, Shape, Tensor};

use super::composed;

type Map = Arc<dyn Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync>;

struct InputLinear {
    name: &'static str,
    forward: Map,
    transpose: Map,
}

impl CustomOp1 for InputLinear {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("{} expects f32 input", self.name)
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("{} expects a contiguous input", self.name)
        };
        let input = Tensor::from_slice(&data[start..end], layout.shape(), &Device::Cpu)?;
        let output = (self.forward)(&input)?;
        let shape = output.shape().clone();
        let values = output.flatten_all()?.to_vec1::<f32>()?;
        Ok((CpuStorage::F32(values), shape))
    }

    fn cuda_fwd(
        &self,
        storage: &candle_core::CudaStorage,
        layout: &Layout,
    ) -> candle_core::Result<(candle_core::CudaStorage, Shape)> {
        composed::map_cuda_storage(&*self.forward, storage, layout)
    }

    fn bwd(
        &self,
        _arg: &Tensor,
        _res: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        Ok(Some((self.transpose)(gradient)?))
    }
}

/// `forward(input)` whose backward is `transpose(gradient)`, on the CPU (f32) and CUDA; the plain
/// forward elsewhere.
pub fn apply<F, T>(
    name: &'static str,
    input: &Tensor,
    forward: F,
    transpose: T,
) -> candle_core::Result<Tensor>
where
    F: Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync + 'static,
    T: Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync + 'static,
{
    // The op runs on the CPU (f32) and on CUDA, where its maps run as they are.
    if !input.device().is_cuda() && composed::needed_for(input) {
        return forward(input);
    }
    input.contiguous()?.apply_op1(InputLinear {
        name,
        forward: Arc::new(forward),
        transpose: Arc::new(transpose),
    })
}
