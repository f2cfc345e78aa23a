//! One client connection: the [`Engine`] decides, this task reads requests, writes bytes
//! and keeps time.

mod engine;

pub(crate) use engine::{Command, Engine, State};

use ami_proto::Limits;
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;

use crate::requests::RequestReader;

/// Serves one connection until the engine closes it, the client goes away, or the server
/// drops the task.
pub(crate) async fn run(
    stream: TcpStream,
    mut engine: Engine,
    mut commands: broadcast::Receiver<Command>,
    limits: Limits,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader_half, mut writer) = stream.into_split();
    let mut requests = RequestReader::new(limits);
    let mut input = BytesMut::with_capacity(4096);
    // Asterisk greets before it reads anything.
    let mut current = engine.pop_output().unwrap_or_default();
    if writer.write_all_buf(&mut current).await.is_err() {
        return;
    }
    let mut client_open = true;
    loop {
        engine.on_time(std::time::Instant::now());
        if current.is_empty() {
            current = engine.pop_output().unwrap_or_default();
        }
        match engine.state() {
            State::Closed => break,
            State::Closing if current.is_empty() && engine.drained() => {
                let _ = writer.shutdown().await;
                break;
            }
            _ => {}
        }
        let due = engine.next_due().map(Instant::from_std);
        let read = client_open && engine.reading();
        tokio::select! {
            command = commands.recv() => match command {
                Ok(command) => engine.command(command),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            },
            written = writer.write_buf(&mut current), if !current.is_empty() => {
                if written.is_err() {
                    break;
                }
            }
            got = reader_half.read_buf(&mut input), if read => match got {
                Ok(0) | Err(_) => {
                    client_open = false;
                    engine.on_eof();
                }
                Ok(_) => {
                    while let Some(request) = requests.next(&mut input) {
                        match request {
                            Ok(request) => engine.on_request(request, std::time::Instant::now()),
                            Err(_) => engine.on_malformed(),
                        }
                    }
                }
            },
            () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {}
        }
    }
}
