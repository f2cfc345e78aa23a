//! A tokio-util `Decoder`/`Encoder` adapter over ami-proto.
