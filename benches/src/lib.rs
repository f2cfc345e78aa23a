//! Benchmark inputs: the deterministic busy-PBX stream generator.
