//! The simulation's one source of randomness: a ChaCha8 stream from a seed.
//!
//! ChaCha is defined bit for bit, so the same seed gives the same numbers on native and on
//! wasm32. Everything random in the core — uids, generated names, tie-breaks, simulated
//! delays — draws from a `SimRng` handed in by the host.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The characters Kubernetes uses for generated name suffixes (no vowels, no confusable
/// digits: `k8s.io/apimachinery/pkg/util/rand`).
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Length of the random suffix `generateName` gets.
pub const GENERATED_NAME_SUFFIX_LENGTH: usize = 5;

/// A seeded, deterministic random number generator.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// A generator whose whole stream is decided by `seed`.
    pub fn seed_from(seed: u64) -> SimRng {
        SimRng {
            inner: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// A uniformly random number below `bound` (0 when `bound` is 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Rejection sampling: draw again from the top partial zone.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.inner.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }

    /// A uniformly random element of `items`, or None when it is empty.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(items.len()).ok()?;
        let index = usize::try_from(self.below(len)).ok()?;
        items.get(index)
    }

    /// A random UUID (version 4 layout), as Kubernetes gives every object's `metadata.uid`.
    pub fn uid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.inner.fill_bytes(&mut bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        format_uuid(&bytes)
    }

    /// A 5-character suffix for `generateName` (`web-7d4b9c-` + `x2k9q`).
    pub fn generate_name_suffix(&mut self) -> String {
        self.string_from_alphabet(GENERATED_NAME_SUFFIX_LENGTH)
    }

    /// `n` random characters of Kubernetes' name alphabet (also used for pod-template-hash
    /// style strings).
    pub fn string_from_alphabet(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let i = self.below(NAME_ALPHABET.len() as u64) as usize;
                char::from(NAME_ALPHABET.get(i).copied().unwrap_or(b'b'))
            })
            .collect()
    }
}

impl RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.inner.fill_bytes(dst)
    }
}

/// The canonical lowercase 8-4-4-4-12 text of a UUID, written straight into one string
/// (every object gets a uid: a `format!` per byte was ~6 % of a `kubeplay sim` run).
pub(crate) fn format_uuid(bytes: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let mut a = SimRng::seed_from(7);
        let mut b = SimRng::seed_from(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(
            SimRng::seed_from(8).next_u64(),
            SimRng::seed_from(7).next_u64()
        );
    }

    #[test]
    fn uids_have_the_uuid_v4_layout() {
        let uid = SimRng::seed_from(1).uid();
        assert_eq!(uid.len(), 36);
        let parts: Vec<&str> = uid.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(
            parts[3].chars().next(),
            Some('8' | '9' | 'a' | 'b')
        ));
    }

    #[test]
    fn uids_are_the_bytes_in_lowercase_hex_with_dashes_after_4_6_8_and_10_bytes() {
        for seed in [1, 2, 77, u64::MAX] {
            let mut bytes = [0u8; 16];
            SimRng::seed_from(seed).inner.fill_bytes(&mut bytes);
            bytes[6] = (bytes[6] & 0x0f) | 0x40;
            bytes[8] = (bytes[8] & 0x3f) | 0x80;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let expected = format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            );
            assert_eq!(SimRng::seed_from(seed).uid(), expected, "seed {seed}");
        }
    }

    #[test]
    fn generated_name_suffixes_use_kubernetes_alphabet() {
        let mut rng = SimRng::seed_from(3);
        for _ in 0..50 {
            let suffix = rng.generate_name_suffix();
            assert_eq!(suffix.len(), 5);
            assert!(
                suffix.bytes().all(|c| NAME_ALPHABET.contains(&c)),
                "{suffix}"
            );
        }
    }

    #[test]
    fn below_stays_in_range_and_choose_handles_empty_slices() {
        let mut rng = SimRng::seed_from(9);
        for bound in 1..20 {
            assert!(rng.below(bound) < bound);
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.choose::<u8>(&[]), None);
        assert_eq!(rng.choose(&[42]), Some(&42));
    }
}
