//! What the two sides of an extension instance share after setup: the instance with its
//! key state, retired on the first failure, and the chunks started and not yet finished.

use super::{MAX_PENDING, PHASE_MATRIX};
use crate::context::{OtContext, Role};
use crate::error::OtError;
use std::collections::VecDeque;

/// One side of an extension instance after setup: the instance and the key state `K`.
/// Any failure drops the keys, and a retired side refuses every later call, so its base
/// OTs are never used again.
pub(super) struct Side<K> {
    pub(super) ctx: OtContext,
    role: Role,
    keys: Option<Box<K>>,
}

impl<K> Side<K> {
    /// The side playing `role` in `ctx` with `keys`.
    pub(super) fn new(ctx: OtContext, role: Role, keys: K) -> Self {
        Self {
            ctx,
            role,
            keys: Some(Box::new(keys)),
        }
    }

    /// Whether a failure has retired this side.
    pub(super) fn is_retired(&self) -> bool {
        self.keys.is_none()
    }

    /// The key state, or the error of a call at `phase` on a retired side.
    pub(super) fn keys(&mut self, phase: &'static str) -> Result<&mut K, OtError> {
        match self.keys.as_deref_mut() {
            Some(k) => Ok(k),
            None => Err(self.ctx.retired(self.role, phase)),
        }
    }

    /// Runs one step, retiring this side if it fails.
    pub(super) fn guarded<T>(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<T, OtError>,
    ) -> Result<T, OtError> {
        let r = step(self);
        if r.is_err() {
            self.keys = None;
        }
        r
    }

    /// `Debug` under the name `name`: the instance and whether retired, never the keys.
    pub(super) fn debug(&self, name: &str, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct(name)
            .field("ctx", &self.ctx)
            .field("retired", &self.is_retired())
            .finish_non_exhaustive()
    }
}

/// The chunks one side has started and not yet finished (at most [`MAX_PENDING`]), oldest
/// first, with the sequence number and the first OT index of the next chunk.
pub(super) struct Chunks<T> {
    seq: u64,
    next_index: u64,
    pending: VecDeque<T>,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Self {
            seq: 0,
            next_index: 0,
            pending: VecDeque::new(),
        }
    }
}

impl<T> Chunks<T> {
    /// The sequence number and first OT index of a new chunk, refused while
    /// [`MAX_PENDING`] chunks are in flight.
    pub(super) fn next(&self, ctx: &OtContext, role: Role) -> Result<(u64, u64), OtError> {
        if self.pending.len() >= MAX_PENDING {
            return Err(ctx.bad_message(
                role,
                PHASE_MATRIX,
                format!("more than {MAX_PENDING} chunks in flight"),
            ));
        }
        Ok((self.seq, self.next_index))
    }

    /// Queues a started chunk of `m` OTs (numbered as [`Chunks::next`] said).
    pub(super) fn push(&mut self, m: usize, chunk: T) {
        self.seq += 1;
        self.next_index += m as u64;
        self.pending.push_back(chunk);
    }

    /// The oldest started chunk; an error of a message at `phase` when none is pending.
    pub(super) fn pop(
        &mut self,
        ctx: &OtContext,
        role: Role,
        phase: &'static str,
    ) -> Result<T, OtError> {
        self.pending
            .pop_front()
            .ok_or_else(|| ctx.bad_message(role, phase, "no chunk is pending".into()))
    }
}
