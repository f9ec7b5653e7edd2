//! Client I/O over real routes (DESIGN.md section 3): registration, proxied or direct
//! output delivery, client input. The protocol (sans-IO machines, framing, checks) and its
//! thin async driver live in [`spdz2k_delivery`]; this module re-exports them.

pub use spdz2k_delivery::{
    Announcement, ClientMachine, ClientPort, ClientStep, DeliveryError, PortMachine,
    REGISTRATION_CONFIRMED, RemoteClient, RoutePlan, Step, decode_batch, encode_batch,
};
#[cfg(feature = "tamper-hooks")]
pub use spdz2k_delivery::{ClientMessageTamper, ForwardTamper};
