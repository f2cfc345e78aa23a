//! A wallboard: a live table of the channels on a PBX, kept from typed events
//! (`Newchannel`, `Newstate`, `Hangup`) and rebuilt from `CoreShowChannels` after every
//! login, since events missed while disconnected are gone.
//!
//! ```text
//! cargo run -p ami-tokio --example wallboard         # against a fake Asterisk, about 6 s
//! AMI_SECRET=... cargo run -p ami-tokio --example wallboard -- pbx:5038 admin
//! ```
//!
//! Without arguments it starts a fake Asterisk (`ami-replay`) that plays a real call
//! between two SIP phones (`corpus/asterisk-23.4.1-sip/10_call_bridged_100_to_101`) four
//! times faster than recorded, and answers `CoreShowChannels` as a real Asterisk 23 did
//! with calls up (`23_coreshowchannels_sip_up`). After the call it restarts the server,
//! so the wallboard shows a reconnection and its resynchronisation, then stops.

use std::collections::BTreeMap;
use std::time::Duration;

use ami_replay::{Capture, Pace, ReplayServer};
use ami_spec::actions::CoreShowChannels;
use ami_spec::Event;
use ami_tokio::{Client, ClientConfig, ClientEvent};

/// One row: the channel's state and who it is.
#[derive(Debug, Clone)]
struct Row {
    state: String,
    caller: String,
}

/// Channels by name.
type Board = BTreeMap<String, Row>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, server) = match &args[..] {
        [] => {
            let dir = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../corpus/asterisk-23.4.1-sip/"
            );
            let call = Capture::load(format!("{dir}10_call_bridged_100_to_101"))?;
            let status = Capture::load(format!("{dir}23_coreshowchannels_sip_up"))?;
            let server = ReplayServer::builder([call])
                .fallback([status])
                .pace(Pace::Speed(4.0))
                .start()
                .await?;
            println!("fake Asterisk on {}", server.addr());
            let config = ClientConfig::new(server.addr().to_string()).credentials("admin", "any");
            (config, Some(server))
        }
        [addr, user] => {
            let secret = std::env::var("AMI_SECRET").map_err(|_| "set AMI_SECRET")?;
            (
                ClientConfig::new(addr.clone()).credentials(user.clone(), secret),
                None,
            )
        }
        _ => return Err("usage: wallboard [ADDR USER]".into()),
    };

    let (client, mut events) = Client::connect_with_events(config).await?;
    let mut board = Board::new();
    let mut logins = 0;
    // The demo restarts its server once the call is over, and stops after the resync.
    let demo_restart = tokio::time::sleep(Duration::from_secs(4));
    tokio::pin!(demo_restart);
    let mut restarted = false;
    loop {
        let item = tokio::select! {
            item = events.recv() => item,
            () = &mut demo_restart, if server.is_some() && !restarted => {
                restarted = true;
                println!("-- (demo) the server restarts");
                server.as_ref().unwrap().restart().await?;
                continue;
            }
        };
        let Some(item) = item else { break };
        match item {
            ClientEvent::Connected { .. } | ClientEvent::Reconnected { .. } => {
                logins += 1;
                println!("-- logged in: resynchronising");
                resync(&client, &mut board).await?;
                show(&board);
                if restarted {
                    break;
                }
            }
            ClientEvent::Disconnected { reason } => println!("-- disconnected: {reason}"),
            ClientEvent::Lagged { missed } => {
                // Events were lost: the table may be wrong until rebuilt.
                println!("-- missed {missed} events: resynchronising");
                resync(&client, &mut board).await?;
                show(&board);
            }
            ClientEvent::Event(message)
                if apply(&mut board, &Event::from_message(&message.message())) =>
            {
                show(&board)
            }
            _ => {}
        }
    }
    println!("-- {logins} logins");
    drop(client);
    Ok(())
}

/// Rebuilds the table from the PBX's own list of channels.
async fn resync(client: &Client, board: &mut Board) -> Result<(), ami_tokio::Error> {
    let reply = client.send(&CoreShowChannels::new()).await?;
    board.clear();
    for item in reply.items() {
        if let Event::CoreShowChannel(c) = Event::from_message(&item.message()) {
            let row = Row {
                state: c.channel_state_desc_bytes().map(text).unwrap_or_default(),
                caller: c.caller_id_num().unwrap_or_default().to_owned(),
            };
            board.insert(c.channel().unwrap_or_default().to_owned(), row);
        }
    }
    Ok(())
}

/// Applies one event; whether the table changed.
fn apply(board: &mut Board, event: &Event<'_>) -> bool {
    match event {
        Event::Newchannel(e) => {
            let row = Row {
                state: e.channel_state_desc_bytes().map(text).unwrap_or_default(),
                caller: e.caller_id_num().unwrap_or_default().to_owned(),
            };
            board.insert(e.channel().unwrap_or_default().to_owned(), row);
            true
        }
        Event::Newstate(e) => match board.get_mut(e.channel().unwrap_or_default()) {
            Some(row) => {
                row.state = e.channel_state_desc_bytes().map(text).unwrap_or_default();
                true
            }
            None => false,
        },
        Event::Hangup(e) => board.remove(e.channel().unwrap_or_default()).is_some(),
        _ => false,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(board: &Board) {
    println!("{:<32} {:<10} caller", "channel", "state");
    for (channel, row) in board {
        println!("{channel:<32} {:<10} {}", row.state, row.caller);
    }
    println!("({} channels)", board.len());
}
