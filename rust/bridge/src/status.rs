//! Where the bridge stands, in the terms the editor's dock shows: published on a watch
//! channel every time it changes, read by the main thread without waiting.

use std::time::SystemTime;

/// The bridge's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BridgeStatus {
    /// No godot-ai server is configured (the WebSocket port is 0) or the plugin stopped.
    #[default]
    Off,
    /// Dialing the server (`attempt` 0 is the first try).
    Connecting { attempt: u32 },
    /// The server acknowledged the handshake.
    Connected { server_version: Option<String> },
    /// Waiting before attempt `attempt`, due at `next_retry`.
    Retrying {
        attempt: u32,
        next_retry: SystemTime,
    },
    /// Not retrying until the plugin is re-enabled, for this reason.
    Blocked { reason: String },
}

impl BridgeStatus {
    /// The state in words for the dock, at `now` (for "next retry in N s").
    pub fn describe(&self, now: SystemTime) -> String {
        match self {
            Self::Off => "off (no godot-ai server configured)".to_owned(),
            Self::Connecting { attempt: 0 } => "connecting to the godot-ai server".to_owned(),
            Self::Connecting { attempt } => {
                format!("connecting to the godot-ai server (attempt {attempt})")
            }
            Self::Connected {
                server_version: Some(version),
            } => format!("connected to godot-ai server {version}"),
            Self::Connected {
                server_version: None,
            } => "connected to a godot-ai server".to_owned(),
            Self::Retrying {
                attempt,
                next_retry,
            } => {
                let seconds = next_retry
                    .duration_since(now)
                    .map(|left| left.as_secs_f64().ceil() as u64)
                    .unwrap_or(0);
                format!(
                    "retrying: server not reachable (attempt {attempt}, next retry in {seconds} s)"
                )
            }
            Self::Blocked { reason } => {
                format!("blocked: {reason}. Disable and re-enable the plugin to try again.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn each_state_reads_as_a_sentence() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let retrying = BridgeStatus::Retrying {
            attempt: 3,
            next_retry: now + Duration::from_millis(3500),
        };
        assert_eq!(
            retrying.describe(now),
            "retrying: server not reachable (attempt 3, next retry in 4 s)"
        );
        assert_eq!(
            retrying.describe(now + Duration::from_secs(9)),
            "retrying: server not reachable (attempt 3, next retry in 0 s)"
        );
        let connected = BridgeStatus::Connected {
            server_version: Some("3.2.5".into()),
        };
        assert_eq!(
            connected.describe(now),
            "connected to godot-ai server 3.2.5"
        );
        assert!(BridgeStatus::Off.describe(now).starts_with("off"));
        let blocked = BridgeStatus::Blocked {
            reason: "the server closed with 4002".into(),
        };
        assert!(blocked.describe(now).contains("re-enable the plugin"));
    }
}
