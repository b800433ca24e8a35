//! The help popup: the key bindings of every context, generated from the keymap, scrolled by
//! line or page. Opened over another popup, it gives that popup back when it closes.

use crate::app::popups::{Overlay, Popup, Reply};
use crate::app::state::State;
use crate::keymap::{Action, Context};

/// The help popup.
#[derive(Debug, Clone, Default)]
pub struct HelpView {
    /// First line shown.
    pub scroll: usize,
    /// The popup it was opened over.
    pub under: Option<Box<Overlay>>,
}

impl HelpView {
    /// Help over `under` (the popup open when it was asked for).
    pub fn over(under: Overlay) -> HelpView {
        HelpView {
            scroll: 0,
            under: under.is_open().then(|| Box::new(under)),
        }
    }

    fn close(&mut self) -> Reply {
        match self.under.take() {
            Some(under) => Reply::open(*under),
            None => Reply::close(),
        }
    }
}

impl Popup for HelpView {
    fn context(&self) -> Context {
        Context::Help
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let page = state.screen.view.viewport_height.saturating_sub(2).max(1);
        match action {
            Action::Close | Action::ToggleHelp => return self.close(),
            Action::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            Action::ScrollDown => self.scroll += 1,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll += page,
            Action::ScrollTop => self.scroll = 0,
            _ => {}
        }
        Reply::stay()
    }

    fn on_scroll(&mut self, _state: &mut State, delta: isize) {
        self.scroll = self.scroll.saturating_add_signed(delta);
    }
}
