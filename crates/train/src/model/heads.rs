//! Moving projections between token-major `[batch·tokens, heads·head_dim]` and the head-major
//! layouts attention multiplies, with the rotary embedding and the attention scale applied on
//! the way in. Composed, that is a transpose copy, four copies for rotate-half, two broadcast
//! products, a sum and a division, each on one thread, plus reshape and transpose nodes whose
//! gradients candle accumulates one by one; here it is one pass each way, split over rows.
//! The map is linear in its input, so its backward is the transposed map: the same movement the
//! other way, rotated by minus the angle.

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use super::composed;
use super::kernel::{fill_rows, is_cpu_f32, storage_values, tensor_from, with_values};

/// The sizes of one attention input. Query heads sharing a key/value head are adjacent, so
/// `[batch, heads, tokens, head_dim]` is also `[batch, kv_heads, group·tokens, head_dim]`.
#[derive(Debug, Clone, Copy)]
pub struct HeadShape {
    pub batch: usize,
    pub tokens: usize,
    pub heads: usize,
    pub head_dim: usize,
    /// Heads per block of the head-major shape: the query heads sharing one key/value head
    /// (1 for keys and values), so one batched matmul serves a whole group.
    pub group: usize,
}

/// The head-major layouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HeadLayout {
    /// `[batch, heads / group, group·tokens, head_dim]`: queries, values, attention outputs.
    TokensByDim,
    /// `[batch, heads, head_dim, tokens]`: keys, ready to multiply queries by.
    DimByTokens,
}

impl HeadShape {
    fn index(
        &self,
        layout: HeadLayout,
        batch: usize,
        head: usize,
        token: usize,
        dim: usize,
    ) -> usize {
        let block = (batch * self.heads + head) * self.tokens * self.head_dim;
        block
            + match layout {
                HeadLayout::TokensByDim => token * self.head_dim + dim,
                HeadLayout::DimByTokens => dim * self.tokens + token,
            }
    }

    pub(super) fn head_major(&self, layout: HeadLayout) -> Shape {
        let blocks = self.heads / self.group;
        match layout {
            HeadLayout::TokensByDim => {
                Shape::from((self.batch, blocks, self.group * self.tokens, self.head_dim))
            }
            HeadLayout::DimByTokens => {
                Shape::from((self.batch, self.heads, self.head_dim, self.tokens))
            }
        }
    }

    pub(super) fn token_major(&self) -> Shape {
        Shape::from((self.batch * self.tokens, self.heads * self.head_dim))
    }
}

/// cos/sin per token, `[rows, tokens, head_dim]` with `rows` 1 (shared positions) or `batch`.
#[derive(Debug)]
pub struct Rotation {
    cos: Vec<f32>,
    sin: Vec<f32>,
    per_batch: bool,
    /// The same cos/sin as tensors, for the composed path.
    tables: (Tensor, Tensor),
}

impl Rotation {
    /// From cos/sin tensors shaped `[1 or batch, 1, tokens, head_dim]`.
    pub fn new(cos: &Tensor, sin: &Tensor) -> candle_core::Result<Arc<Self>> {
        let per_batch = cos.dim(0)? > 1;
        let tables = (cos.clone(), sin.clone());
        // Only the CPU kernels read the values; elsewhere the tables serve the composed path.
        let values = |table: &Tensor| -> candle_core::Result<Vec<f32>> {
            if is_cpu_f32(table) {
                table.flatten_all()?.to_vec1::<f32>()
            } else {
                Ok(Vec::new())
            }
        };
        let (cos, sin) = (values(cos)?, values(sin)?);
        Ok(Arc::new(Self {
            cos,
            sin,
            per_batch,
            tables,
        }))
    }

    fn angles(&self, shape: &HeadShape, batch: usize, token: usize) -> (&[f32], &[f32]) {
        let row = if self.per_batch { batch } else { 0 } * shape.tokens + token;
        let span = row * shape.head_dim..(row + 1) * shape.head_dim;
        (&self.cos[span.clone()], &self.sin[span])
    }
}

/// Element `dim` of `scale · R·source`, with `R` the rotate-half rotation (its transpose when
/// `transposed`): `y₁ = x₁·cos − x₂·sin`, `y₂ = x₂·cos + x₁·sin` over the two halves.
fn rotated(
    source: &[f32],
    angles: Option<(&[f32], &[f32])>,
    scale: f32,
    transposed: bool,
    dim: usize,
) -> f32 {
    let Some((cos, sin)) = angles else {
        return scale * source[dim];
    };
    let half = source.len() / 2;
    let value = if dim < half {
        let (first, second) = (source[dim], source[dim + half]);
        if transposed {
            first * cos[dim] + second * sin[dim + half]
        } else {
            first * cos[dim] - second * sin[dim]
        }
    } else {
        let (first, second) = (source[dim - half], source[dim]);
        if transposed {
            second * cos[dim] - first * sin[dim - half]
        } else {
            second * cos[dim] + first * sin[dim]
        }
    };
    scale * value
}

struct MoveHeads {
    shape: HeadShape,
    layout: HeadLayout,
    /// True: token-major in, head-major out. False: the reverse.
    to_heads: bool,
    rotation: Option<Arc<Rotation>>,
    scale: f32,
}

impl MoveHeads {
    fn angles(&self, batch: usize, token: usize) -> Option<(&[f32], &[f32])> {
        self.rotation
            .as_ref()
            .map(|rotation| rotation.angles(&self.shape, batch, token))
    }

    /// Token-major `input` → head-major, rotated forward (or by the transpose).
    fn to_head_major(&self, input: &[f32], transposed: bool) -> Vec<f32> {
        let HeadShape {
            tokens,
            heads,
            head_dim,
            ..
        } = self.shape;
        let mut output = vec![0.0f32; input.len()];
        let token_slice = |batch: usize, token: usize, head: usize| {
            let start = ((batch * tokens + token) * heads + head) * head_dim;
            &input[start..start + head_dim]
        };
        match self.layout {
            HeadLayout::TokensByDim => fill_rows(&mut output, head_dim, |row, out| {
                let (batch, head, token) =
                    (row / (heads * tokens), (row / tokens) % heads, row % tokens);
                let source = token_slice(batch, token, head);
                let angles = self.angles(batch, token);
                for (dim, value) in out.iter_mut().enumerate() {
                    *value = rotated(source, angles, self.scale, transposed, dim);
                }
            }),
            HeadLayout::DimByTokens => fill_rows(&mut output, tokens, |row, out| {
                let (batch, head, dim) = (
                    row / (heads * head_dim),
                    (row / head_dim) % heads,
                    row % head_dim,
                );
                for (token, value) in out.iter_mut().enumerate() {
                    let source = token_slice(batch, token, head);
                    *value = rotated(
                        source,
                        self.angles(batch, token),
                        self.scale,
                        transposed,
                        dim,
                    );
                }
            }),
        }
        output
    }

    /// Head-major `input` → token-major, rotated forward (or by the transpose).
    fn to_token_major(&self, input: &[f32], transposed: bool) -> Vec<f32> {
        let shape = self.shape;
        let mut output = vec![0.0f32; input.len()];
        fill_rows(&mut output, shape.heads * shape.head_dim, |row, out| {
            let (batch, token) = (row / shape.tokens, row % shape.tokens);
            let angles = self.angles(batch, token);
            let mut source = vec![0.0f32; shape.head_dim];
            for (head, piece) in out.chunks_mut(shape.head_dim).enumerate() {
                for (dim, value) in source.iter_mut().enumerate() {
                    *value = input[shape.index(self.layout, batch, head, token, dim)];
                }
                for (dim, value) in piece.iter_mut().enumerate() {
                    *value = rotated(&source, angles, self.scale, transposed, dim);
                }
            }
        });
        output
    }

    fn run(&self, input: &[f32], to_heads: bool, transposed: bool) -> Vec<f32> {
        if to_heads {
            self.to_head_major(input, transposed)
        } else {
            self.to_token_major(input, transposed)
        }
    }

    fn output_shape(&self, to_heads: bool) -> Shape {
        if to_heads {
            self.shape.head_major(self.layout)
        } else {
            self.shape.token_major()
        }
    }
}

impl CustomOp1 for MoveHeads {
    fn name(&self) -> &'static str {
        if self.to_heads {
            "split-heads"
        } else {
            "merge-heads"
        }
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = storage_values(self.name(), storage, layout)?;
        let expected = self.shape.token_major().elem_count();
        if input.len() != expected {
            candle_core::bail!(
                "{}: input {:?} does not hold {expected} values",
                self.name(),
                layout.dims()
            )
        }
        let output = self.run(input, self.to_heads, false);
        Ok((CpuStorage::F32(output), self.output_shape(self.to_heads)))
    }

    fn bwd(
        &self,
        _input: &Tensor,
        _result: &Tensor,
        gradient: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        with_values(self.name(), gradient, |values| {
            let output = self.run(values, !self.to_heads, true);
            Ok(Some(tensor_from(
                output,
                self.output_shape(!self.to_heads),
            )?))
        })
    }
}

/// Token-major `[batch·tokens, heads·head_dim]` → head-major in `layout`, rotated by `rotation`
/// and multiplied by `scale` on the way.
pub fn split_heads(
    input: &Tensor,
    shape: HeadShape,
    layout: HeadLayout,
    rotation: Option<&Arc<Rotation>>,
    scale: f32,
) -> candle_core::Result<Tensor> {
    if !is_cpu_f32(input) {
        let tables = rotation.map(|rotation| (&rotation.tables.0, &rotation.tables.1));
        return composed::split_heads(input, shape, layout, tables, scale);
    }
    input.contiguous()?.apply_op1(MoveHeads {
        shape,
        layout,
        to_heads: true,
        rotation: rotation.cloned(),
        scale,
    })
}

/// Head-major (`TokensByDim`) → token-major `[batch·tokens, heads·head_dim]`.
pub fn merge_heads(input: &Tensor, shape: HeadShape) -> candle_core::Result<Tensor> {
    if !is_cpu_f32(input) {
        return composed::merge_heads(input, shape);
    }
    input.contiguous()?.apply_op1(MoveHeads {
        shape,
        layout: HeadLayout::TokensByDim,
        to_heads: false,
        rotation: None,
        scale: 1.0,
    })
}
