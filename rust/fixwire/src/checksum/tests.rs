use super::*;
use crate::testing::{Aligned, Ran};

/// The plain byte sum, modulo 256.
fn reference(data: &[u8]) -> u8 {
    (data.iter().map(|&b| u64::from(b)).sum::<u64>() % 256) as u8
}

/// Bytes that carry across lanes (0xff, 0x80, 0x7f, 0xfe next to small ones), in a buffer
/// aligned to 64 bytes.
fn aligned_bytes() -> Box<Aligned> {
    Aligned::filled(|i| [0xff, 0x80, 0x7f, 1, 0, 0xfe][i * 7 % 6] ^ (i as u8))
}

#[test]
fn every_path_matches_the_byte_sum_at_every_length_and_alignment() {
    let buf = aligned_bytes();
    let mut ran = Ran::new();
    for start in 0..64 {
        for len in 0..=300 {
            let part = &buf.0[start..start + len];
            let want = reference(part);
            for path in ChecksumPath::ALL {
                if let Some(sum) = path.checksum(part) {
                    assert_eq!(sum, want, "{path:?}, {len} bytes from offset {start}");
                    ran.note(path);
                }
            }
        }
    }
    // Every path that does not need a CPU feature ran; those that do ran where the CPU has it.
    let mut expected = vec![ChecksumPath::Dispatched, ChecksumPath::Portable];
    #[cfg(target_arch = "x86_64")]
    {
        expected.extend([ChecksumPath::Sse2, ChecksumPath::Sse2Inline, ChecksumPath::Words]);
        if std::is_x86_feature_detected!("avx2") {
            expected.push(ChecksumPath::Avx2);
        }
        if std::is_x86_feature_detected!("avx512bw") {
            expected.push(ChecksumPath::Avx512);
        }
    }
    ran.assert_exactly(expected, 1);
}

#[test]
fn matches_the_byte_sum_up_to_a_thousand_bytes() {
    let data: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for len in 0..data.len() {
        assert_eq!(checksum(&data[..len]), reference(&data[..len]), "length {len}");
    }
}

#[test]
fn long_runs_of_high_bytes_agree() {
    let data = vec![0xffu8; 4096 + 17];
    for start in 0..70 {
        for path in ChecksumPath::ALL {
            if let Some(sum) = path.checksum(&data[start..]) {
                assert_eq!(sum, reference(&data[start..]), "{path:?} from offset {start}");
            }
        }
    }
}

#[test]
fn wraps_modulo_256() {
    assert_eq!(checksum(b""), 0);
    assert_eq!(checksum(&[200, 100]), 44);
    // 8=FIX.4.2|9=5|35=0| sums to 929, and 929 mod 256 = 161.
    assert_eq!(checksum(b"8=FIX.4.2\x019=5\x0135=0\x01"), 161);
}
