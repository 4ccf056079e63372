//! A small manual launcher for the reference server:
//! `cargo run --example serve -- --flavour loom --listen 127.0.0.1:8080 --token secret --fault create-returns-200`
//! `cargo run --example serve -- --list-faults`

use std::net::SocketAddr;

use scimspec::serve::{Flavour, ServeOptions, fault_listing, start};

fn usage() -> ! {
    eprintln!(
        "usage: serve [--flavour core|loom|looop] [--listen ADDR] [--token TOKEN] [--fault NAME]... [--list-faults]"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut flavour = Flavour::Core;
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut token = None;
    let mut faults = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--flavour" => {
                flavour = value().parse().unwrap_or_else(|e| {
                    eprintln!("error: {e}");
                    std::process::exit(2)
                })
            }
            "--listen" => {
                listen = value().parse().unwrap_or_else(|e| {
                    eprintln!("error: --listen: {e}");
                    std::process::exit(2)
                })
            }
            "--token" => token = Some(value()),
            "--fault" => faults.extend(value().split(',').map(String::from)),
            "--list-faults" => {
                print!("{}", fault_listing());
                return;
            }
            _ => usage(),
        }
    }
    let server = match start(
        listen,
        ServeOptions {
            flavour,
            token,
            faults,
            options: Vec::new(),
        },
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    println!("{} SCIM server at {}", flavour, server.base_url());
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown();
}
