//! Every fused CPU op against the composition of candle primitives it replaces: the same values
//! and the same gradient for every input, on shapes that exercise row blocks, grouped heads,
//! packed positions and masks.

use candle_core::{DType, Device, Tensor, Var};
use lathe_train::model::{
    HeadLayout, HeadShape, Linear, LoraAdapter, Rotation, Weight, attention_probabilities,
    composed, matmul, merge_heads, projected_cross_entropy, rms_norm, split_heads, swiglu,
};
use lathe_train::optimizer::AdamW;

type Op = Box<dyn Fn(&[Tensor]) -> Tensor>;

/// Deterministic, irregular values in roughly [-1.2, 1.2].
fn values(count: usize, seed: usize) -> Vec<f32> {
    (0..count)
        .map(|i| (((i * 7919 + seed * 104_729) % 997) as f32 / 997.0 - 0.5) * 2.4)
        .collect()
}

fn variable(shape: &[usize], seed: usize) -> Var {
    let count = shape.iter().product();
    Var::from_vec(values(count, seed), shape, &Device::Cpu).unwrap()
}

fn largest_difference(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims(), "shapes differ");
    (a - b)
        .unwrap()
        .to_dtype(DType::F32)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

struct Case {
    name: &'static str,
    inputs: Vec<Var>,
    fused: Op,
    composed: Op,
}

/// Values agree, and the gradients of `Σ output·weights` agree for every input.
fn check(case: Case) {
    let tensors: Vec<Tensor> = case.inputs.iter().map(|v| v.as_tensor().clone()).collect();
    let fused = (case.fused)(&tensors);
    let composed = (case.composed)(&tensors);
    let difference = largest_difference(&fused, &composed);
    assert!(
        difference < 1e-5,
        "{}: values differ by {difference}",
        case.name
    );
    let weights =
        Tensor::from_vec(values(fused.elem_count(), 3), fused.shape(), &Device::Cpu).unwrap();
    let gradients = |output: &Tensor| {
        (output * &weights)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap()
    };
    let (ours, theirs) = (gradients(&fused), gradients(&composed));
    for (index, input) in case.inputs.iter().enumerate() {
        let ours = ours.get(input.as_tensor());
        let theirs = theirs.get(input.as_tensor());
        let (Some(ours), Some(theirs)) = (ours, theirs) else {
            panic!("{}: input {index} lacks a gradient", case.name);
        };
        let difference = largest_difference(ours, theirs);
        assert!(
            difference < 2e-4,
            "{}: gradients of input {index} differ by {difference}",
            case.name
        );
    }
}

/// Rotary angles for `[1 or batch, 1, tokens, head_dim]` positions, as the model's tables hold.
fn angles(rows: usize, tokens: usize, head_dim: usize) -> (Tensor, Tensor) {
    let half = head_dim / 2;
    let mut angles = Vec::new();
    for row in 0..rows {
        for token in 0..tokens {
            let position = (token + 3 * row) as f32;
            for _ in 0..2 {
                for pair in 0..half {
                    angles.push(position / 10f32.powf(pair as f32 / half as f32));
                }
            }
        }
    }
    let angles = Tensor::from_vec(angles, (rows, 1, tokens, head_dim), &Device::Cpu).unwrap();
    (angles.cos().unwrap(), angles.sin().unwrap())
}

fn causal_mask(batch_rows: usize, tokens: usize) -> Tensor {
    let mut mask = Vec::new();
    for row in 0..batch_rows {
        for query in 0..tokens {
            for key in 0..tokens {
                // The second batch row is packed: two segments that must not see each other.
                let segment = |t: usize| usize::from(row == 1 && t >= tokens / 2);
                let visible = key <= query && segment(key) == segment(query);
                mask.push(if visible { 0.0 } else { f32::NEG_INFINITY });
            }
        }
    }
    Tensor::from_vec(mask, (batch_rows, 1, tokens, tokens), &Device::Cpu).unwrap()
}

#[test]
fn fused_ops_match_their_composition() {
    let shape = HeadShape {
        batch: 2,
        tokens: 5,
        heads: 6,
        head_dim: 8,
        group: 3,
    };
    let key_shape = HeadShape {
        heads: 2,
        group: 1,
        ..shape
    };
    let mut cases = Vec::new();
    for trainable in [true, false] {
        let weight = variable(&[40], 2);
        let frozen_weight = weight.as_tensor().clone();
        let held = if trainable {
            Weight::Trainable(weight.clone())
        } else {
            Weight::Frozen(frozen_weight.clone())
        };
        let mut inputs = vec![variable(&[3, 37, 40], 1)];
        if trainable {
            inputs.push(weight);
        }
        cases.push(Case {
            name: if trainable {
                "rms norm"
            } else {
                "rms norm, frozen weight"
            },
            inputs,
            fused: Box::new(move |t| rms_norm(&t[0], &held, 1e-5).unwrap()),
            composed: Box::new(move |t| {
                let weight = if trainable { &t[1] } else { &frozen_weight };
                composed::rms_norm(&t[0], weight, 1e-5).unwrap()
            }),
        });
    }
    for (rows, name) in [
        (1, "queries, shared positions"),
        (2, "queries, packed positions"),
    ] {
        let (cos, sin) = angles(rows, shape.tokens, shape.head_dim);
        let rotation = Rotation::new(&cos, &sin).unwrap();
        cases.push(Case {
            name,
            inputs: vec![variable(&[10, 48], 4)],
            fused: Box::new(move |t| {
                split_heads(&t[0], shape, HeadLayout::TokensByDim, Some(&rotation), 0.5).unwrap()
            }),
            composed: Box::new(move |t| {
                let rotation = Some((&cos, &sin));
                composed::split_heads(&t[0], shape, HeadLayout::TokensByDim, rotation, 0.5).unwrap()
            }),
        });
    }
    let (cos, sin) = angles(2, shape.tokens, shape.head_dim);
    let rotation = Rotation::new(&cos, &sin).unwrap();
    cases.push(Case {
        name: "keys, laid out for the product",
        inputs: vec![variable(&[10, 16], 5)],
        fused: Box::new(move |t| {
            split_heads(
                &t[0],
                key_shape,
                HeadLayout::DimByTokens,
                Some(&rotation),
                1.0,
            )
            .unwrap()
        }),
        composed: Box::new(move |t| {
            let rotation = Some((&cos, &sin));
            composed::split_heads(&t[0], key_shape, HeadLayout::DimByTokens, rotation, 1.0).unwrap()
        }),
    });
    cases.push(Case {
        name: "values and merged outputs",
        inputs: vec![variable(&[10, 48], 6)],
        fused: Box::new(move |t| {
            let heads = split_heads(&t[0], shape, HeadLayout::TokensByDim, None, 1.0).unwrap();
            merge_heads(&(heads * 2.0).unwrap(), shape).unwrap()
        }),
        composed: Box::new(move |t| {
            let heads =
                composed::split_heads(&t[0], shape, HeadLayout::TokensByDim, None, 1.0).unwrap();
            composed::merge_heads(&(heads * 2.0).unwrap(), shape).unwrap()
        }),
    });
    for rows in [1, 2] {
        let mask = causal_mask(rows, shape.tokens);
        let composed_mask = mask.clone();
        cases.push(Case {
            name: if rows == 1 {
                "attention, causal"
            } else {
                "attention, packed"
            },
            inputs: vec![variable(&[2, 2, 15, 8], 7), variable(&[2, 2, 8, 5], 8)],
            fused: Box::new(move |t| attention_probabilities(&t[0], &t[1], &mask, 6).unwrap()),
            composed: Box::new(move |t| {
                composed::attention_probabilities(&t[0], &t[1], &composed_mask, 6).unwrap()
            }),
        });
    }
    let targets = Tensor::from_vec(vec![3u32, 0, 40, 2, 17, 9, 1], 7, &Device::Cpu).unwrap();
    for trainable in [true, false] {
        let head = variable(&[41, 12], 9);
        let held = if trainable {
            Weight::Trainable(head.clone())
        } else {
            Weight::Frozen(head.as_tensor().clone())
        };
        let frozen_head = head.as_tensor().clone();
        let mut inputs = vec![variable(&[7, 12], 10)];
        if trainable {
            inputs.push(head);
        }
        let (fused_targets, composed_targets) = (targets.clone(), targets.clone());
        cases.push(Case {
            name: if trainable {
                "cross-entropy"
            } else {
                "cross-entropy, frozen head"
            },
            inputs,
            fused: Box::new(move |t| {
                projected_cross_entropy(&t[0], &held, &fused_targets).unwrap()
            }),
            composed: Box::new(move |t| {
                let head = if trainable { &t[1] } else { &frozen_head };
                let logits = t[0].matmul(&head.t().unwrap()).unwrap();
                composed::cross_entropy(&logits, &composed_targets).unwrap()
            }),
        });
    }
    cases.push(Case {
        name: "swiglu",
        inputs: vec![variable(&[3, 5000], 11), variable(&[3, 5000], 12)],
        fused: Box::new(|t| swiglu(&t[0], &t[1]).unwrap()),
        composed: Box::new(|t| composed::swiglu(&t[0], &t[1]).unwrap()),
    });
    for case in cases {
        check(case);
    }
}

#[test]
fn matmul_matches_candle_on_every_layout() {
    // Each case: left and right operands as views (transposed, narrowed, batched) of variables.
    type View = fn(&Tensor) -> Tensor;
    type Operands = (&'static str, Vec<usize>, View, Vec<usize>, View);
    let same: View = |t| t.clone();
    let transposed: View = |t| t.t().unwrap();
    let narrowed: View = |t| t.narrow(0, 5, t.dim(0).unwrap() - 9).unwrap();
    let cases: [Operands; 11] = [
        (
            "contiguous, split in row blocks",
            vec![150, 33],
            same,
            vec![33, 70],
            same,
        ),
        (
            "left transposed",
            vec![33, 150],
            transposed,
            vec![33, 70],
            same,
        ),
        (
            "right transposed",
            vec![150, 33],
            same,
            vec![70, 33],
            transposed,
        ),
        ("left narrowed", vec![159, 33], narrowed, vec![33, 70], same),
        (
            "batched",
            vec![3, 2, 70, 16],
            same,
            vec![3, 2, 16, 40],
            same,
        ),
        (
            "batched, both transposed",
            vec![3, 2, 17, 70],
            transposed,
            vec![3, 2, 40, 17],
            transposed,
        ),
        // One side at most LoRA-rank sized: each layout the skinny loops take.
        (
            "small inner size",
            vec![150, 8],
            same,
            vec![600, 8],
            transposed,
        ),
        ("few rows", vec![300, 8], transposed, vec![300, 600], same),
        ("few columns", vec![150, 40], same, vec![40, 8], same),
        (
            "few columns, left transposed",
            vec![40, 150],
            transposed,
            vec![8, 40],
            transposed,
        ),
        (
            "few rows, right transposed",
            vec![8, 40],
            same,
            vec![70, 40],
            transposed,
        ),
    ];
    for (name, left_shape, left_view, right_shape, right_view) in cases {
        let inputs = vec![variable(&left_shape, 21), variable(&right_shape, 22)];
        let views = move |t: &[Tensor]| (left_view(&t[0]), right_view(&t[1]));
        check(Case {
            name,
            inputs,
            fused: Box::new(move |t| {
                let (left, right) = views(t);
                matmul(&left, &right).unwrap()
            }),
            composed: Box::new(move |t| {
                let (left, right) = views(t);
                left.matmul(&right).unwrap()
            }),
        });
    }
}

#[test]
fn matmul_gives_the_same_bits_on_any_thread_count() {
    // A tiled product split in row blocks, and skinny ones split in row and column blocks.
    let pairs = [
        ([300, 47], [47, 90]),
        ([300, 8], [8, 600]),
        ([8, 300], [300, 600]),
    ];
    for (left_shape, right_shape) in pairs {
        let left = variable(&left_shape, 23).as_tensor().clone();
        let right = variable(&right_shape, 24).as_tensor().clone();
        let on_threads = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| matmul(&left, &right).unwrap().to_vec2::<f32>().unwrap())
        };
        let one = on_threads(1);
        assert_eq!(one, on_threads(2), "{left_shape:?} · {right_shape:?}");
        assert_eq!(one, on_threads(5), "{left_shape:?} · {right_shape:?}");
    }
}

#[test]
fn projections_match_their_composition() {
    let bias = Tensor::from_vec(values(24, 13), 24, &Device::Cpu).unwrap();
    let trained = variable(&[24, 20], 14);
    let frozen = trained.as_tensor().clone();
    let adapter = LoraAdapter {
        a: variable(&[4, 20], 15),
        b: variable(&[24, 4], 16),
        scale: 2.5,
        dropout: 0.0,
    };
    // Above the rank the skinny loops take: the update goes through a product buffer.
    let wide_adapter = LoraAdapter {
        a: variable(&[18, 20], 18),
        b: variable(&[24, 18], 19),
        scale: 0.5,
        dropout: 0.0,
    };
    let cases = [
        (
            "trained weight",
            Linear {
                weight: Weight::Trainable(trained.clone()),
                bias: None,
                lora: None,
            },
            vec![trained.clone()],
        ),
        (
            "frozen weight and bias",
            Linear {
                weight: Weight::Frozen(frozen.clone()),
                bias: Some(Weight::Frozen(bias.clone())),
                lora: None,
            },
            vec![],
        ),
        (
            "LoRA on a frozen weight and bias",
            Linear {
                weight: Weight::Frozen(frozen.clone()),
                bias: Some(Weight::Frozen(bias.clone())),
                lora: Some(adapter.clone()),
            },
            vec![adapter.a.clone(), adapter.b.clone()],
        ),
        (
            "LoRA of rank 18",
            Linear {
                weight: Weight::Frozen(frozen.clone()),
                bias: None,
                lora: Some(wide_adapter.clone()),
            },
            vec![wide_adapter.a.clone(), wide_adapter.b.clone()],
        ),
    ];
    for (name, linear, parameters) in cases {
        let input = variable(&[35, 20], 17);
        let mut inputs = vec![input];
        inputs.extend(parameters);
        let (bias, frozen) = (bias.clone(), frozen.clone());
        let has_bias = linear.bias.is_some();
        let lora = linear.lora.clone();
        let trainable = linear.weight.var().is_some();
        check(Case {
            name,
            inputs,
            fused: Box::new(move |t| linear.forward(&t[0], None).unwrap()),
            composed: Box::new(move |t| {
                let weight = if trainable { &t[1] } else { &frozen };
                let mut output = t[0].matmul(&weight.t().unwrap()).unwrap();
                if has_bias {
                    output = output.broadcast_add(&bias).unwrap();
                }
                if let Some(lora) = &lora {
                    let update = t[0]
                        .matmul(&t[1].t().unwrap())
                        .unwrap()
                        .matmul(&t[2].t().unwrap())
                        .unwrap();
                    output = (output + (update * lora.scale).unwrap()).unwrap();
                }
                output
            }),
        });
    }
}

#[test]
fn in_place_adamw_matches_the_formula() {
    adamw_matches_the_formula(DType::F32);
}

/// f64 tensors take the optimizer's composed path, the one CUDA tensors take.
#[test]
fn composed_adamw_matches_the_formula() {
    adamw_matches_the_formula(DType::F64);
}

fn adamw_matches_the_formula(dtype: DType) {
    let in_dtype = |var: Var| Var::from_tensor(&var.as_tensor().to_dtype(dtype).unwrap()).unwrap();
    let parameter = in_dtype(variable(&[3, 700], 18));
    let start = parameter.as_tensor().copy().unwrap();
    let mut optimizer = AdamW::new(vec![("p".into(), parameter.clone())], 0.1).unwrap();
    let gradients = [variable(&[3, 700], 19), variable(&[3, 700], 20)].map(in_dtype);
    let (beta1, beta2, epsilon, rate, decay) = (0.9f64, 0.999f64, 1e-8, 0.01, 0.1);
    let mut expected = start;
    let mut first = expected.zeros_like().unwrap();
    let mut second = expected.zeros_like().unwrap();
    for (step, gradient) in gradients.iter().enumerate() {
        optimizer
            .update(&[gradient.as_tensor().clone()], rate)
            .unwrap();
        let g = gradient.as_tensor();
        first = ((&first * beta1).unwrap() + (g * (1.0 - beta1)).unwrap()).unwrap();
        second =
            ((&second * beta2).unwrap() + (g.sqr().unwrap() * (1.0 - beta2)).unwrap()).unwrap();
        let power = step as i32 + 1;
        let corrected_first = (&first / (1.0 - beta1.powi(power))).unwrap();
        let corrected_second = (&second / (1.0 - beta2.powi(power))).unwrap();
        let update =
            (corrected_first / (corrected_second.sqrt().unwrap() + epsilon).unwrap()).unwrap();
        expected =
            ((&expected * (1.0 - rate * decay)).unwrap() - (update * rate).unwrap()).unwrap();
    }
    let difference = largest_difference(parameter.as_tensor(), &expected);
    assert!(
        difference < 1e-6,
        "AdamW differs from its formula by {difference}"
    );
    let moments = optimizer.moments().unwrap();
    assert!(largest_difference(&moments[0].1, &first) < 1e-6);
    assert!(largest_difference(&moments[1].1, &second) < 1e-6);
}

#[test]
fn vectorizable_exp_matches_the_standard_one() {
    use lathe_train::model::exp::{exp, sum_of_exp};
    for step in -90_000..88_000 {
        let x = step as f32 * 1e-3 + 3.7e-4;
        let (ours, reference) = (exp(x), x.exp());
        if reference < f32::MIN_POSITIVE {
            assert_eq!(ours, 0.0, "e^{x} is below the normal range: exactly 0");
            continue;
        }
        let relative = ((ours - reference) / reference).abs();
        assert!(
            relative < 4e-7,
            "e^{x}: {ours} against {reference} ({relative:e} off)"
        );
    }
    assert_eq!(exp(f32::NEG_INFINITY), 0.0, "masked scores give exactly 0");
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(1e6), exp(88.0), "saturates at e^88");
    let values: Vec<f32> = (0..37).map(|i| i as f32 * 0.25 - 4.0).collect();
    let expected: f32 = values.iter().map(|value| (value - 2.0).exp()).sum();
    assert!((sum_of_exp(&values, 2.0) - expected).abs() < 1e-5 * expected);
}
