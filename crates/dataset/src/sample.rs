//! Seeded row selection: exactly `n` of `total` rows (Floyd's algorithm into a bitmap, so memory
//! is one bit per row, not one row per row) and exact train/validation/test assignment.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::recipe::Split;

/// Separate random streams so that, say, changing the split never changes the sample.
pub(crate) const SAMPLE_STREAM: u64 = 1;
pub(crate) const HOLD_OUT_STREAM: u64 = 2;
pub(crate) const TEST_STREAM: u64 = 3;
pub(crate) const SHUFFLE_STREAM: u64 = 4;

pub(crate) fn generator(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut generator = ChaCha8Rng::seed_from_u64(seed);
    generator.set_stream(stream);
    generator
}

#[derive(Debug, Clone)]
pub struct Bitmap {
    words: Vec<u64>,
}

impl Bitmap {
    pub fn new(bits: u64) -> Bitmap {
        Bitmap {
            words: vec![0; bits.div_ceil(64) as usize],
        }
    }

    pub fn get(&self, index: u64) -> bool {
        self.words[(index / 64) as usize] & (1 << (index % 64)) != 0
    }

    fn set(&mut self, index: u64) {
        self.words[(index / 64) as usize] |= 1 << (index % 64);
    }

    pub fn count(&self) -> u64 {
        self.words
            .iter()
            .map(|word| u64::from(word.count_ones()))
            .sum()
    }
}

/// Chooses exactly `chosen` of `total` indices, uniformly, reproducibly.
pub fn choose(total: u64, chosen: u64, seed: u64, stream: u64) -> Bitmap {
    let chosen = chosen.min(total);
    let mut bitmap = Bitmap::new(total);
    let mut generator = generator(seed, stream);
    for upper in (total - chosen)..total {
        let candidate = generator.random_range(0..=upper);
        if bitmap.get(candidate) {
            bitmap.set(upper);
        } else {
            bitmap.set(candidate);
        }
    }
    bitmap
}

/// Rows kept by a sample of `n` rows or of a `fraction` of `total`.
pub fn sample_size(total: u64, n: Option<u64>, fraction: Option<f64>) -> u64 {
    match (n, fraction) {
        (Some(n), _) => n.min(total),
        (None, Some(fraction)) => ((fraction * total as f64).round() as u64).min(total),
        (None, None) => total,
    }
}

/// Assigns rows, visited in order, to train (0), validation (1) or test (2).
#[derive(Debug, Clone)]
pub struct SplitAssigner {
    held_out: Bitmap,
    test_among_held_out: Bitmap,
    held_out_seen: u64,
    pub counts: [u64; 3],
}

impl SplitAssigner {
    pub fn new(split: &Split, total: u64) -> SplitAssigner {
        let counts = split.counts(total);
        let held_out_count = counts[1] + counts[2];
        SplitAssigner {
            held_out: choose(total, held_out_count, split.seed, HOLD_OUT_STREAM),
            test_among_held_out: choose(held_out_count, counts[2], split.seed, TEST_STREAM),
            held_out_seen: 0,
            counts,
        }
    }

    pub fn part(&mut self, row: u64) -> usize {
        if !self.held_out.get(row) {
            return 0;
        }
        let rank = self.held_out_seen;
        self.held_out_seen += 1;
        if self.test_among_held_out.get(rank) {
            2
        } else {
            1
        }
    }
}
