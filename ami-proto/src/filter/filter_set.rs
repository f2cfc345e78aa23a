//! A session's filters and how they combine (`should_send_event`): no filter lets every
//! event through; includes alone let through what one of them matches; excludes alone let
//! through what none of them matches; with both, an event must match an include and no
//! exclude. The order of the lines does not matter.

use alloc::vec::Vec;

use super::event_filter::{EventFilter, EventText};

/// Include and exclude filters, each list in the order added.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterSet {
    include: Vec<EventFilter>,
    exclude: Vec<EventFilter>,
}

impl FilterSet {
    /// Adds a filter to its list.
    pub(crate) fn add(&mut self, filter: EventFilter) {
        if filter.is_exclude() {
            self.exclude.push(filter);
        } else {
            self.include.push(filter);
        }
    }

    /// Forgets every filter (a repeated user section in manager.conf does this).
    pub(crate) fn clear(&mut self) {
        self.include.clear();
        self.exclude.clear();
    }

    /// Every filter, includes first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &EventFilter> {
        self.include.iter().chain(self.exclude.iter())
    }

    /// Whether the filters let `event` through.
    pub(crate) fn admits(&self, event: &EventText<'_>) -> bool {
        let included = self.include.is_empty() || self.include.iter().any(|f| f.matches(event));
        included && !self.exclude.iter().any(|f| f.matches(event))
    }
}
