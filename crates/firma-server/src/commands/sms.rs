//! `firma sms ...`: the SMS simulator's outbox, and SMS devices.

use std::sync::Arc;

use firma_core::{PhoneNumber, SmsGateway, SmsMessage, SystemClock};

use crate::config::{Settings, SmsGatewayKind};
use crate::sms::{SimulatedGateway, read_outbox};

/// `firma sms outbox [--to PHONE] [--last N]`: what the simulated phones received.
pub fn outbox(settings: &Settings, to: Option<&str>, last: usize) -> anyhow::Result<()> {
    match settings.sms.gateway {
        SmsGatewayKind::Simulator => {}
    }
    let messages = read_outbox(&settings.sms.outbox, to, last)?;
    if messages.is_empty() {
        println!("(no messages in {})", settings.sms.outbox.display());
    }
    for m in messages {
        println!("{}  {}  {}", m.at, m.to, m.text);
    }
    Ok(())
}

/// `firma sms test --to PHONE`: one message without a code through the configured gateway.
pub async fn test(settings: &Settings, to: &str) -> anyhow::Result<()> {
    let to = PhoneNumber::parse(to)?;
    let gateway = match settings.sms.gateway {
        SmsGatewayKind::Simulator => {
            SimulatedGateway::new(settings.sms.outbox.clone(), Arc::new(SystemClock))
        }
    };
    gateway
        .send(&SmsMessage {
            to: to.clone(),
            text: "Firma remota ANSC: messaggio di prova, nessuna azione richiesta.".to_owned(),
        })
        .await?;
    println!(
        "test message handed to the {:?} gateway for {}",
        settings.sms.gateway,
        to.masked()
    );
    Ok(())
}
